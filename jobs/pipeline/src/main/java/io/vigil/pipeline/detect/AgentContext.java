package io.vigil.pipeline.detect;

import io.vigil.models.agents.EpisodeAttribution;
import io.vigil.models.agents.EpisodeAttribution.Anchor;
import io.vigil.pipeline.detect.AgentContextInput.SightingKind;
import io.vigil.records.AgentEpisode;
import io.vigil.records.AgentEvent;
import io.vigil.records.Alert;
import io.vigil.records.Category;
import io.vigil.records.Destination;
import io.vigil.records.EpisodeFlag;
import io.vigil.records.IncidentState;
import io.vigil.records.ProcessEvidence;
import io.vigil.records.TransitionCause;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeHint;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Ties each alert to the agent episodes and tool calls behind it ({@code agent_context}), per job, in event time.
 * The job's tool calls and the first sighting of each remote endpoint (flows to external addresses or unanswered)
 * and each GPU process are kept per minute of event time for {@link #HORIZON_MS}; an alert of a job with calls
 * in the horizon waits until the watermark is {@link #CALL_GRACE_MS} past its window, so the calls that started in
 * it and ended soon after have arrived (an alert of a job without any goes at once, as without this stage), then {@link EpisodeAttribution} ranks the calls against the alert's anchors: the first packet to each
 * suspicious destination of its evidence, and the first sample of each GPU process that appeared within the
 * horizon (a process the job ran before it is its own), each as seen up to the alert's window; for a sweep too fast
 * for any probe its evidence lists to be sighted, the first probe of its minute.
 *
 * <p>State per job, bounded: per minute at most {@link #MAX_CALLS_PER_MINUTE} calls and {@link
 * #MAX_SIGHTINGS_PER_MINUTE} sightings of each kind (answered endpoints, probes, GPU processes; the first of the minute
 * are kept: the earliest are what anchors an alert),
 * the alerts waiting for the watermark, and the context each open incident was last told with (computed afresh
 * when it opens or a category joins, carried on otherwise), with the anchors its transitions were told with (at most
 * {@link #MAX_KEPT_ANCHORS}) and the calls reported after them that tell of them (at most {@link #MAX_LATE_CALLS},
 * until its next transition names them): all ended by its CLOSE. Each minute ends {@link #HORIZON_MS} after it (an event-time timer set
 * when its first record arrives), each waiting alert at its timer: nothing of a job is left a horizon after its
 * last record. Timers are set only when records arrive (BATCH mode ignores timers set while one fires).
 */
public final class AgentContext extends KeyedProcessFunction<String, AgentContextInput, Alert> {
    private static final long serialVersionUID = 1L;

    /** How long a job's calls and sightings are kept: the lookback of a call before its anchor, and more. */
    public static final long HORIZON_MS = 2 * EpisodeAttribution.LOOKBACK_MS;
    /** How long past its window an alert waits for the calls that started in it. */
    public static final long CALL_GRACE_MS = 30_000L;

    /**
     * One record per (incident, episode) the first time the incident names the episode: for the trainer to quarantine
     * it. Emitted with the alert that names it, from the same state, so a restored job neither repeats nor skips one.
     */
    public static final OutputTag<EpisodeFlag> EPISODE_FLAGS = new OutputTag<>("episode-flags") {};

    public static final int MAX_CALLS_PER_MINUTE = 512;
    public static final int MAX_SIGHTINGS_PER_MINUTE = 1024;
    /** Anchors kept per open incident, for calls reported after its transitions were told. */
    public static final int MAX_KEPT_ANCHORS = 16;
    /** Calls kept per open incident until its next transition names them. */
    public static final int MAX_LATE_CALLS = EpisodeAttribution.MAX_EPISODES * EpisodeAttribution.MAX_CALLS;

    private static final long MINUTE = 60_000L;

    // A list or map read from this state is changed in place and put back. That is safe on both backends: the heap
    // backend copies a value that a running snapshot still holds when it is read (CopyOnWriteStateMap.get), and
    // RocksDB reads a fresh copy. Copying it here as well cost each new sighting the whole minute's map (up to
    // MAX_SIGHTINGS_PER_MINUTE entries): a scan's minute cost the square of its endpoints.

    /** A job's tool calls by the minute they started in. */
    private transient MapState<Long, List<AgentEvent>> calls;
    /**
     * A job's first sighting of each endpoint or process, by minute, one state per {@link SightingKind} (in order),
     * each with its own budget: a sweep's probes fill theirs, and the tunnel's endpoint or the miner's process seen
     * later in the same minute still has room.
     */
    private transient List<MapState<Long, Map<String, Long>>> sightings;
    /** Alerts waiting for the watermark, by the time they are told. */
    private transient MapState<Long, List<Alert>> waiting;
    /** The context each open incident was told with, by incident id, until it closes. */
    private transient MapState<String, List<AgentEpisode>> told;
    /** The episodes each open incident has flagged, by incident id, until it closes. */
    private transient MapState<String, List<String>> flagged;
    /**
     * The anchors each open incident's transitions were told with, by incident id, until it closes: at most {@link
     * #MAX_KEPT_ANCHORS}, the earliest (its OPEN's first). A call reported after a transition was told is judged
     * against them.
     */
    private transient MapState<String, List<KeptAnchor>> anchored;
    /**
     * Calls reported after a transition of an open incident was told whose commands tell of its anchors, by incident
     * id, until its next transition names them: at most {@link #MAX_LATE_CALLS}.
     */
    private transient MapState<String, List<AgentEvent>> late;
    /**
     * Calls that arrived when the alerts they could belong to may have been told already (event time past their
     * start and the grace): their topic lags the flows ({@link ContextWatermarks}). Kept for later alerts.
     */
    private transient Counter callsAfterTheirAlerts;

    @Override
    public void open(OpenContext openContext) {
        calls = getRuntimeContext()
                .getMapState(new MapStateDescriptor<>(
                        "calls", Types.LONG, Types.LIST(TypeInformation.of(AgentEvent.class))));
        sightings = new ArrayList<>();
        for (SightingKind kind : SightingKind.values()) {
            // the answered endpoints keep the state's first name: all kinds were kept there, and are still read
            String name = kind == SightingKind.ENDPOINT
                    ? "sightings"
                    : "sightings-" + kind.name().toLowerCase(Locale.ROOT);
            sightings.add(getRuntimeContext()
                    .getMapState(new MapStateDescriptor<>(
                            name, Types.LONG, TypeInformation.of(new TypeHint<Map<String, Long>>() {}))));
        }
        waiting = getRuntimeContext()
                .getMapState(
                        new MapStateDescriptor<>("waiting", Types.LONG, Types.LIST(TypeInformation.of(Alert.class))));
        told = getRuntimeContext()
                .getMapState(new MapStateDescriptor<>(
                        "told", Types.STRING, Types.LIST(TypeInformation.of(AgentEpisode.class))));
        flagged = getRuntimeContext()
                .getMapState(new MapStateDescriptor<>("flagged", Types.STRING, Types.LIST(Types.STRING)));
        anchored = getRuntimeContext()
                .getMapState(
                        new MapStateDescriptor<>("anchored", Types.STRING, Types.LIST(Types.POJO(KeptAnchor.class))));
        late = getRuntimeContext()
                .getMapState(new MapStateDescriptor<>(
                        "late", Types.STRING, Types.LIST(TypeInformation.of(AgentEvent.class))));
        callsAfterTheirAlerts = getRuntimeContext().getMetricGroup().counter("callsAfterTheirAlerts");
    }

    @Override
    public void processElement(AgentContextInput in, Context ctx, Collector<Alert> out) throws Exception {
        if (in.alert != null) {
            if (calls.isEmpty() && waiting.isEmpty()) {
                // a job that tells no tool calls (none in the horizon): nothing to wait for, its alert goes as today
                out.collect(told(in.alert, List.of(), ctx));
                return;
            }
            long at = in.alert.getWindowEnd().toEpochMilli() + CALL_GRACE_MS;
            List<Alert> list = waiting.get(at);
            if (list == null) {
                list = new ArrayList<>();
            }
            list.add(in.alert);
            waiting.put(at, list);
            ctx.timerService().registerEventTimeTimer(at);
        } else if (in.call != null) {
            long start = in.call.getStartTs().toEpochMilli();
            if (ctx.timerService().currentWatermark() >= start + CALL_GRACE_MS) {
                callsAfterTheirAlerts.inc();
            }
            keepIfLate(in.call);
            long minute = minute(start);
            List<AgentEvent> list = calls.get(minute);
            if (list == null) {
                list = new ArrayList<>();
                ctx.timerService().registerEventTimeTimer(expiry(minute));
            } else if (list.size() >= MAX_CALLS_PER_MINUTE) {
                return;
            }
            list.add(in.call);
            calls.put(minute, list);
        } else if (in.seen != null) {
            // an endpoint first seen before the kept horizon (a long connection re-reported, counting from its start)
            // is kept in the oldest kept minute: the job's history reaches back that far, and it is not new
            long minute = Math.max(
                    minute(in.seenTs), oldestKeptMinute(ctx.timerService().currentWatermark()));
            MapState<Long, Map<String, Long>> ofKind = sightings.get(in.kind.ordinal());
            Map<String, Long> seen = ofKind.get(minute);
            if (seen == null) {
                seen = new HashMap<>();
                ctx.timerService().registerEventTimeTimer(expiry(minute));
            } else {
                Long first = seen.get(in.seen);
                if (first != null ? first <= in.seenTs : seen.size() >= MAX_SIGHTINGS_PER_MINUTE) {
                    return;
                }
            }
            seen.put(in.seen, in.seenTs);
            ofKind.put(minute, seen);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Alert> out) throws Exception {
        List<Alert> due = waiting.get(timestamp);
        if (due != null) {
            waiting.remove(timestamp);
            // The alerts due now share one window. A call that started more than the clocks' skew after its end
            // follows every anchor (each seen up to the window), so none can name it: a backlog read unaligned
            // keeps hours of such calls, which are left where they are.
            long lastMinute = minute(timestamp - CALL_GRACE_MS + EpisodeAttribution.SKEW_MS);
            List<AgentEvent> known = new ArrayList<>();
            for (Map.Entry<Long, List<AgentEvent>> minute : calls.entries()) {
                if (minute.getKey() <= lastMinute) {
                    known.addAll(minute.getValue());
                }
            }
            for (Alert alert : due) {
                out.collect(told(alert, known, ctx));
            }
        }
        // a minute's calls and sightings end a horizon after it; the alerts due now were told first
        long minute = timestamp - HORIZON_MS - MINUTE;
        if (minute % MINUTE == 0) {
            calls.remove(minute);
            for (MapState<Long, Map<String, Long>> ofKind : sightings) {
                ofKind.remove(minute);
            }
        }
    }

    /**
     * What an alert's anchors are made of ({@link #anchors}).
     *
     * @param first the first time each endpoint or process that may anchor the alert was seen
     * @param earliest the first kept minute: what was seen then is the job's history, not new
     * @param sweep the first probe of a minute of the alert's window whose probes filled their budget, when the
     *     evidence lists probes none of which was sighted (a sweep that fast leaves most of its probes unsighted);
     *     else null
     */
    record Sighted(Map<String, Long> first, long earliest, String sweep, long sweepTs) {
        boolean isNew(long ts) {
            return earliest != Long.MAX_VALUE && ts >= earliest + MINUTE;
        }
    }

    /**
     * The sightings in the kept minutes up to the alert's window's last. What was read ahead of the alert is not its
     * past: counting it made an alert's anchors depend on how far the readers had got, and cost each alert every
     * minute of a backlog read ahead of the watermark (hours of them). Only the would-be anchors are looked up, not
     * every sighting.
     */
    private Sighted firstSightings(Alert alert) throws Exception {
        List<String> wanted = new ArrayList<>();
        List<String> probes = new ArrayList<>();
        for (Destination d : alert.getEvidence().getDestinations()) {
            if (mayAnchor(d)) {
                String endpoint = AgentContextInput.endpoint(d.getIp(), d.getPort());
                wanted.add(endpoint);
                if (d.getUnanswered() > 0) {
                    probes.add(endpoint);
                }
            }
        }
        for (ProcessEvidence p : alert.getEvidence().getProcesses()) {
            wanted.add(AgentContextInput.process(p.getName()));
        }
        long windowFirst = minute(alert.getWindowStart().toEpochMilli());
        long last = minute(alert.getWindowEnd().toEpochMilli() - 1);
        Map<String, Long> first = new HashMap<>();
        long earliest = Long.MAX_VALUE;
        String sweep = null;
        long sweepTs = Long.MAX_VALUE;
        for (SightingKind kind : SightingKind.values()) {
            MapState<Long, Map<String, Long>> ofKind = sightings.get(kind.ordinal());
            for (long minute : ofKind.keys()) {
                if (minute > last) {
                    continue;
                }
                earliest = Math.min(earliest, minute);
                if (wanted.isEmpty()) {
                    continue;
                }
                Map<String, Long> seen = ofKind.get(minute);
                for (String k : wanted) {
                    Long ts = seen.get(k);
                    if (ts != null) {
                        first.merge(k, ts, Math::min);
                    }
                }
                if (kind == SightingKind.PROBE
                        && !probes.isEmpty()
                        && minute >= windowFirst
                        && seen.size() >= MAX_SIGHTINGS_PER_MINUTE) {
                    for (Map.Entry<String, Long> e : seen.entrySet()) {
                        if (sweep == null
                                || e.getValue() < sweepTs
                                || (e.getValue() == sweepTs && e.getKey().compareTo(sweep) < 0)) {
                            sweep = e.getKey();
                            sweepTs = e.getValue();
                        }
                    }
                }
            }
        }
        if (probes.stream().anyMatch(first::containsKey)) {
            sweep = null; // a listed probe was sighted: it anchors as itself
        }
        return new Sighted(first, earliest, sweep, sweepTs);
    }

    /**
     * The alert with its context: computed afresh when the incident opens or a category joins it (something new
     * happened), or when a call whose command tells is a newer cause ({@link #newerCause}); else the one its
     * incident was last told with, so an incident that goes on keeps naming what began it rather than whatever is
     * near its latest window. Calls reported after an earlier transition of the incident was told join it ({@link
     * #withLate}). The transition's anchors are kept for calls reported after it. A CLOSE ends its incident's
     * entries.
     */
    private Alert told(Alert alert, List<AgentEvent> known, Context ctx) throws Exception {
        IncidentState state = alert.getIncidentState();
        String incident = alert.getIncidentId();
        List<AgentEpisode> before = state == null ? null : told.get(incident);
        boolean fresh = state == null
                || state == IncidentState.OPEN
                || alert.getTransitionCauses().contains(TransitionCause.CATEGORY_JOINED)
                || before == null;
        List<AgentEpisode> context = before == null ? List.of() : before;
        List<Anchor> anchors = anchors(alert, firstSightings(alert));
        if (!known.isEmpty() && !anchors.isEmpty()) {
            List<AgentEpisode> now = EpisodeAttribution.rank(
                    known,
                    anchors,
                    focus(alert),
                    alert.getWindowStart().toEpochMilli(),
                    alert.getWindowEnd().toEpochMilli());
            if (!now.isEmpty() && (fresh || newerCause(now.get(0), context))) {
                context = now;
            }
        }
        if (state != null) {
            context = withLate(alert, context);
        }
        if (state != null && !context.isEmpty()) {
            flag(alert, context, ctx);
        }
        if (state == IncidentState.CLOSE) {
            told.remove(incident);
            flagged.remove(incident);
            anchored.remove(incident);
            late.remove(incident);
        } else if (state != null) {
            if (!context.isEmpty()) {
                told.put(incident, context);
            }
            keep(incident, anchors);
        }
        return context.isEmpty()
                ? alert
                : Alert.newBuilder(alert).setAgentContext(context).build();
    }

    /**
     * Keeps a call reported after a transition of an open incident was told, for the incident's next transition, when
     * its command tells of that transition's anchors (a call is reported when it ends: a scan that ran for minutes
     * arrives after the OPEN it caused was told, and the windows after it have anchors of their own, too far from its
     * start).
     */
    private void keepIfLate(AgentEvent call) throws Exception {
        for (Map.Entry<String, List<KeptAnchor>> incident : anchored.entries()) {
            List<AgentEpisode> named = EpisodeAttribution.rank(List.of(call), KeptAnchor.anchors(incident.getValue()));
            if (named.isEmpty() || !EpisodeAttribution.namedByCommand(named.get(0))) {
                continue;
            }
            List<AgentEvent> kept = late.get(incident.getKey());
            if (kept == null) {
                kept = new ArrayList<>();
            } else if (kept.size() >= MAX_LATE_CALLS || kept.contains(call)) {
                continue; // full, or the same call delivered again
            } else {
                kept = new ArrayList<>(kept);
            }
            kept.add(call);
            late.put(incident.getKey(), kept);
        }
    }

    /**
     * The context with the episodes of the calls reported after an earlier transition of the incident was told
     * ({@link #keepIfLate}), ranked against the anchors its transitions were told with, when no earlier transition
     * named them for their commands: first (what began the incident, learnt only now), or after the first on a
     * transition a category joined on (its first does that category's work); in place of the same episode as this
     * transition's own anchors name it, and with reasons that say they came late. At most {@link
     * EpisodeAttribution#MAX_EPISODES}.
     */
    private List<AgentEpisode> withLate(Alert alert, List<AgentEpisode> context) throws Exception {
        String incident = alert.getIncidentId();
        List<AgentEvent> calls = late.get(incident);
        List<KeptAnchor> kept = anchored.get(incident);
        if (calls == null || kept == null) {
            return context;
        }
        late.remove(incident);
        List<String> named = flagged.get(incident);
        List<AgentEpisode> behind = new ArrayList<>();
        Set<String> behindIds = new HashSet<>();
        for (AgentEpisode e : EpisodeAttribution.rank(calls, KeptAnchor.anchors(kept), alert.getIncidentCategories())) {
            if (EpisodeAttribution.namedByCommand(e) && (named == null || !named.contains(e.getEpisodeId()))) {
                behind.add(EpisodeAttribution.reportedLate(e));
                behindIds.add(e.getEpisodeId());
            }
        }
        if (behind.isEmpty()) {
            return context;
        }
        boolean joined = alert.getTransitionCauses().contains(TransitionCause.CATEGORY_JOINED);
        int at = joined
                        && !context.isEmpty()
                        && !behindIds.contains(context.get(0).getEpisodeId())
                ? 1
                : 0;
        List<AgentEpisode> merged = new ArrayList<>(context.subList(0, at));
        merged.addAll(behind);
        for (AgentEpisode e : context.subList(at, context.size())) {
            if (!behindIds.contains(e.getEpisodeId())) {
                merged.add(e);
            }
        }
        return merged.size() > EpisodeAttribution.MAX_EPISODES
                ? List.copyOf(merged.subList(0, EpisodeAttribution.MAX_EPISODES))
                : merged;
    }

    /**
     * Adds a transition's anchors to those its incident keeps: each endpoint or process once, at its earliest, the
     * earliest {@link #MAX_KEPT_ANCHORS} (its OPEN's come first).
     */
    private void keep(String incident, List<Anchor> anchors) throws Exception {
        if (anchors.isEmpty()) {
            return;
        }
        List<KeptAnchor> before = anchored.get(incident);
        Map<String, Anchor> byWhat = new LinkedHashMap<>();
        for (Anchor a : before == null ? List.<Anchor>of() : KeptAnchor.anchors(before)) {
            byWhat.put(a.remoteIp() + "|" + a.port() + "|" + a.process(), a);
        }
        for (Anchor a : anchors) {
            byWhat.merge(a.remoteIp() + "|" + a.port() + "|" + a.process(), a, (x, y) -> x.ts() <= y.ts() ? x : y);
        }
        List<Anchor> now = byWhat.values().stream()
                .sorted(Comparator.comparingLong(Anchor::ts))
                .limit(MAX_KEPT_ANCHORS)
                .toList();
        List<KeptAnchor> keptNow = KeptAnchor.of(now);
        if (!keptNow.equals(before)) {
            anchored.put(incident, keptNow);
        }
    }

    /**
     * Whether a transition that carries on its incident's context should name {@code top} instead: it was named for
     * what its commands hold, and what the incident was told named calls only for their time (a call is reported
     * when it ends: a scan that ran for minutes arrives after the alert it caused was told), or named an earlier
     * call (a second attack of the same kind in the same incident: a new scan while the first one's incident is
     * still open).
     */
    static boolean newerCause(AgentEpisode top, List<AgentEpisode> told) {
        if (!EpisodeAttribution.namedByCommand(top)) {
            return false;
        }
        if (told.isEmpty() || !EpisodeAttribution.namedByCommand(told.get(0))) {
            return true;
        }
        return firstStart(top) > lastStart(told.get(0));
    }

    private static long firstStart(AgentEpisode e) {
        return e.getCalls().stream()
                .mapToLong(c -> c.getStartTs().toEpochMilli())
                .min()
                .orElse(Long.MIN_VALUE);
    }

    private static long lastStart(AgentEpisode e) {
        return e.getCalls().stream()
                .mapToLong(c -> c.getStartTs().toEpochMilli())
                .max()
                .orElse(Long.MAX_VALUE);
    }

    /**
     * Each episode of the context its incident has not flagged yet, flagged now ({@link #EPISODE_FLAGS}); only those
     * named for what their commands hold ({@link EpisodeAttribution#namedByCommand}), since a trainer drops what is
     * flagged.
     */
    private void flag(Alert alert, List<AgentEpisode> context, Context ctx) throws Exception {
        String incident = alert.getIncidentId();
        List<String> before = flagged.get(incident);
        List<String> now = before == null ? new ArrayList<>() : new ArrayList<>(before);
        for (int i = 0; i < context.size(); i++) {
            AgentEpisode episode = context.get(i);
            if (EpisodeAttribution.namedByCommand(episode) && !now.contains(episode.getEpisodeId())) {
                now.add(episode.getEpisodeId());
                ctx.output(EPISODE_FLAGS, EpisodeFlags.of(alert, episode, i + 1));
            }
        }
        if (before == null || now.size() > before.size()) {
            flagged.put(incident, now);
        }
    }

    /**
     * What the alert is about: the categories its transition added (at OPEN all the incident has), else those of its
     * window; a category that joins an incident is explained by the call that does its work.
     */
    static List<Category> focus(Alert alert) {
        return alert.getJoinedCategories().isEmpty() ? alert.getCategories() : alert.getJoinedCategories();
    }

    /**
     * The alert's anchors: the first packet to each destination of its evidence that is external or went
     * unanswered, and the first sample of each GPU process of its evidence; each only when it appeared after the
     * first kept minute (what the job talked to or ran from the start of what is kept is its routine). A sweep so
     * fast that none of its listed probes was sighted is anchored by its minute's first probe ({@link Sighted#sweep}).
     */
    static List<Anchor> anchors(Alert alert, Sighted seen) {
        List<Anchor> anchors = new ArrayList<>();
        for (Destination d : alert.getEvidence().getDestinations()) {
            if (mayAnchor(d)) {
                Long ts = seen.first().get(AgentContextInput.endpoint(d.getIp(), d.getPort()));
                if (ts != null && seen.isNew(ts)) {
                    anchors.add(Anchor.flow(ts, d.getIp(), d.getPort()));
                }
            }
        }
        for (ProcessEvidence p : alert.getEvidence().getProcesses()) {
            Long ts = seen.first().get(AgentContextInput.process(p.getName()));
            if (ts != null && seen.isNew(ts)) {
                anchors.add(Anchor.process(ts, p.getName()));
            }
        }
        if (seen.sweep() != null && seen.isNew(seen.sweepTs())) {
            anchors.add(Anchor.flow(
                    seen.sweepTs(),
                    AgentContextInput.endpointIp(seen.sweep()),
                    AgentContextInput.endpointPort(seen.sweep())));
        }
        return anchors;
    }

    /** Whether a destination of the evidence may anchor its alert: it is external, or went unanswered. */
    private static boolean mayAnchor(Destination d) {
        return d.getExternal() || d.getUnanswered() > 0;
    }

    /** The oldest minute a record may still be kept in at this watermark (its expiry not yet passed). */
    private static long oldestKeptMinute(long watermark) {
        return watermark < Long.MIN_VALUE + HORIZON_MS ? Long.MIN_VALUE : minute(watermark - HORIZON_MS);
    }

    private static long minute(long ts) {
        return Math.floorDiv(ts, MINUTE) * MINUTE;
    }

    private static long expiry(long minute) {
        return minute + MINUTE + HORIZON_MS;
    }

    /** An anchor as kept in state: a POJO, for Flink's own serializer. */
    public static final class KeptAnchor {
        public long ts;
        public String remoteIp;
        public int port;
        public String process;

        public KeptAnchor() {}

        static List<KeptAnchor> of(List<Anchor> anchors) {
            List<KeptAnchor> out = new ArrayList<>(anchors.size());
            for (Anchor a : anchors) {
                KeptAnchor k = new KeptAnchor();
                k.ts = a.ts();
                k.remoteIp = a.remoteIp();
                k.port = a.port();
                k.process = a.process();
                out.add(k);
            }
            return out;
        }

        static List<Anchor> anchors(List<KeptAnchor> kept) {
            List<Anchor> out = new ArrayList<>(kept.size());
            for (KeptAnchor k : kept) {
                out.add(new Anchor(k.ts, k.remoteIp, k.port, k.process));
            }
            return out;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof KeptAnchor k
                    && ts == k.ts
                    && port == k.port
                    && Objects.equals(remoteIp, k.remoteIp)
                    && Objects.equals(process, k.process);
        }

        @Override
        public int hashCode() {
            return Objects.hash(ts, remoteIp, port, process);
        }
    }
}
