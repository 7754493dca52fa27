package io.vigil.models.model;

import static io.vigil.models.features.WindowScene.ncclPeers;
import static io.vigil.models.features.WindowScene.range;
import static io.vigil.models.features.WindowScene.scene;
import static io.vigil.models.features.WindowScene.trackerConnection;
import static io.vigil.models.features.WindowScene.training;
import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.models.features.FeatureSet;
import io.vigil.models.features.JobFlow;
import io.vigil.models.features.Probes;
import io.vigil.models.features.ScanMemory;
import io.vigil.models.features.WindowAccumulator;
import io.vigil.models.features.WindowScene;
import io.vigil.models.scoring.IndicatorScorer;
import io.vigil.models.scoring.JobHistory;
import io.vigil.models.scoring.Verdict;
import io.vigil.records.Category;
import io.vigil.records.Fixtures;
import io.vigil.records.GpuSample;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The hand-made probes ({@link Probes}) scored by the repository's default model, as a job would be: on top of
 * its ordinary minute (NCCL to 15 peers, a tracker, 8 training GPUs), with an empty history (the fleet model
 * and the rules alone) and after an hour of ordinary minutes (the per-job model too). The default model must have been trained
 * on this feature set (scripts/train-default-model.sh).
 */
class ProbeScoresTest {
    private static final String TRACKER = WindowScene.TRACKER_IP;
    private static final Path DEFAULT_MODEL = Path.of("default/vigil-default.model");
    private static VigilModel model;
    private static JobHistory warm;

    @BeforeAll
    static void load() throws Exception {
        // the committed default model must read this feature set (DefaultModelTest says the same of the jar's)
        model = ModelArtifact.load(DEFAULT_MODEL, FeatureSet.CURRENT, ModelTrust.BUILT_IN);
        JobHistory h = JobHistory.empty();
        for (int w = 0; w < 60; w++) {
            double[] x = ordinary().features();
            h = model.update(h, x, model.score(x, h));
        }
        warm = h;
    }

    private static WindowScene ordinary() {
        return scene().with(ncclPeers(15))
                .with(trackerConnection(TRACKER))
                .popular(TRACKER, 12, 3)
                .gpus(training(range(0, 8)));
    }

    private record Scores(Verdict cold, Verdict warm) {}

    private static Scores score(String name, double[] x) {
        Scores s = new Scores(model.score(x, JobHistory.empty()), model.score(x, warm));
        if (System.getenv("PROBE_DEBUG") != null) {
            Calibration c = model.calibration();
            double[] t = FeatureSet.CURRENT.towardsBaseline(x, model.fleet().baseline());
            double rules = VigilModel.rulesScore(new IndicatorScorer().contributions(x));
            double[] surprises = c.surprises(
                    model.fleet().score(t),
                    c.jobRaw(model.job().score(x, JobHistory.empty()).contributions()),
                    model.supervised().probabilities(t)[0],
                    rules);
            System.out.printf(
                    Locale.ROOT,
                    "  debug %s: surprises %s threshold %.2f rules tail max %.3f scale %.3f fleet %.3f max %.3f scale %.3f%n",
                    name,
                    Arrays.toString(surprises),
                    c.threshold(),
                    c.rules().max(),
                    c.rules().scale(),
                    model.fleet().score(t),
                    c.fleet().max(),
                    c.fleet().scale());
        }
        System.out.printf(
                Locale.ROOT,
                "probe %-42s cold %.3f %-5s %-32s warm %.3f %-5s %s  rules %.2f%n",
                name,
                s.cold.score(),
                s.cold.flagged(),
                s.cold.categories(),
                s.warm.score(),
                s.warm.flagged(),
                s.warm.categories(),
                new IndicatorScorer().score(x, JobHistory.empty()).score());
        return s;
    }

    private static Scores probe(String name, List<JobFlow> flows) {
        return score(name, ordinary().with(flows).features());
    }

    private static void chatter(Scores s) {
        assertThat(s.cold.flagged()).isFalse();
    }

    private static void scan(Scores s) {
        assertThat(s.cold.flagged()).as("from the job's first window").isTrue();
        assertThat(s.warm.flagged()).as("against the job's own normal").isTrue();
        assertThat(s.cold.categories()).contains(Category.NETWORK_SCAN);
        assertThat(s.warm.categories()).contains(Category.NETWORK_SCAN);
    }

    @Test
    void lanChatterIsNotAScanAgainstTheJobsOwnNormal() {
        for (Scores s : List.of(
                probe("chromecast / SSDP / mDNS", Probes.chromecastSsdp()),
                probe("broadcast NetBIOS, DHCP", Probes.broadcastNetbios()),
                probe("ICMP port unreachable both ways", Probes.icmpPortUnreachable()))) {
            assertThat(s.warm.flagged()).isFalse();
        }
    }

    @Test
    void lanChatterIsNotAScanFromTheJobsFirstWindow() {
        chatter(probe("chromecast / SSDP / mDNS", Probes.chromecastSsdp()));
        chatter(probe("broadcast NetBIOS, DHCP", Probes.broadcastNetbios()));
        chatter(probe("ICMP port unreachable both ways", Probes.icmpPortUnreachable()));
    }

    @Test
    void aCrawlerWhoseServersAnswerIsNotAScan() {
        // an RL agent whose work is fetching pages: its own normal is hundreds of web servers a minute
        JobHistory h = JobHistory.empty();
        double[] x = scene().with(Probes.crawler()).features();
        for (int w = 0; w < 30; w++) {
            h = model.update(h, x, model.score(x, h));
        }
        Verdict cold = model.score(x, JobHistory.empty());
        Verdict warmCrawler = model.score(x, h);
        System.out.printf(
                Locale.ROOT,
                "probe %-42s cold %.3f %-5s %s warm (a crawler's own history) %.3f %-5s %s%n",
                "crawler: 206 web servers on 443, 6 dead",
                cold.score(),
                cold.flagged(),
                cold.categories(),
                warmCrawler.score(),
                warmCrawler.flagged(),
                warmCrawler.categories());
        assertThat(cold.flagged()).isFalse();
        assertThat(warmCrawler.flagged()).isFalse();
    }

    @Test
    void scansOfOutsideHostsAreNetworkScans() {
        scan(probe("vertical: 300 ports of one external host", Probes.verticalScanOfExternalHost("203.0.113.9")));
        scan(probe("horizontal: port 22 of 50 external hosts", Probes.sshSweepOfExternalHosts(50)));
    }

    @Test
    void scansOfEveryShapeTcpAndUdpAreNetworkScans() {
        scan(probe("scattered: 46 probes, 19 hosts x 20 ports", Probes.scatteredScan()));
        scan(probe("UDP: 200 ports of one host, 6 unreachables", Probes.udpPortScan("10.0.9.50", 6)));
        scan(probe("UDP: 200 ports of an external host, silent", silent(Probes.udpPortScan("203.0.113.50", 0))));
        scan(probe("UDP: SNMP to 40 hosts, none answering", Probes.snmpSweep(40)));
    }

    /** The flows without the host's ICMP messages: a filtered host that answers nothing. */
    private static List<JobFlow> silent(List<JobFlow> flows) {
        return flows.stream().filter(f -> !"ICMP".equals(f.protocol)).toList();
    }

    /**
     * Minutes of a job, scored as the pipeline scores them: the job's scan memory gives each window its recent
     * failed targets, the per-job model learns from each, starting from {@code history}. Each minute's verdict.
     *
     * @param ordinaryAround on top of the ordinary minute (NCCL peers, tracker, training GPUs), or alone
     */
    private static List<Verdict> minutes(
            int n, IntFunction<List<JobFlow>> minute, boolean ordinaryAround, JobHistory history) {
        List<Verdict> out = new ArrayList<>();
        JobHistory h = history;
        ScanMemory memory = ScanMemory.empty();
        for (int m = 0; m < n; m++) {
            WindowScene scene = ordinaryAround ? ordinary() : scene();
            WindowAccumulator w = scene.with(minute.apply(m)).window();
            double[] x = w.features(FeatureSet.CURRENT);
            memory = memory.recall(FeatureSet.CURRENT, x, START + m * 60_000L, w.failedTargets());
            Verdict v = model.score(x, h);
            out.add(v);
            h = model.update(h, x, v);
        }
        return out;
    }

    private static final long START = WindowScene.WINDOW_START;

    private static int firstFlagged(List<Verdict> verdicts) {
        for (int i = 0; i < verdicts.size(); i++) {
            if (verdicts.get(i).flagged()) {
                return i + 1;
            }
        }
        return 0;
    }

    private static String scores(List<Verdict> verdicts) {
        return verdicts.stream()
                .map(v -> String.format(Locale.ROOT, "%.2f", v.score()))
                .collect(Collectors.joining(" "));
    }

    @Test
    void scansSlowerThanAWindowAddUpToANetworkScan() {
        // against the job's own normal (an hour of ordinary minutes), and in a job's first minutes (no history:
        // the fleet model and the rules alone, the per-job model learning the scan as it goes)
        for (JobHistory start : List.of(warm, JobHistory.empty())) {
            String when = start.isEmpty() ? "from the job's first window" : "against the job's own normal";
            List<Verdict> vertical = minutes(15, Probes::slowVerticalScanMinute, true, start);
            List<Verdict> sweep = minutes(40, Probes::slowSweepMinute, true, start);
            System.out.printf(
                    Locale.ROOT,
                    "probe slow vertical scan, a port every 10 s, %s: a scan in minute %d: %s%n",
                    when,
                    firstScan(vertical),
                    scores(vertical));
            System.out.printf(
                    Locale.ROOT,
                    "probe slow sweep, a host a minute, %s: a scan in minute %d: %s%n",
                    when,
                    firstScan(sweep),
                    scores(sweep));

            assertThat(firstScan(vertical))
                    .as("a port every ten seconds, " + when)
                    .isBetween(1, 5);
            assertThat(firstScan(sweep)).as("a host a minute, " + when).isBetween(1, 30);
        }
    }

    /** The first minute (1-based) flagged as a NETWORK_SCAN; 0 when none is. */
    private static int firstScan(List<Verdict> verdicts) {
        for (int i = 0; i < verdicts.size(); i++) {
            if (verdicts.get(i).flagged() && verdicts.get(i).categories().contains(Category.NETWORK_SCAN)) {
                return i + 1;
            }
        }
        return 0;
    }

    @Test
    void busyBenignClientsStayQuietOverAnHour() {
        // each the job's normal from its first minute: a crawler's work is crawling, a job's chores go on all along
        List<Verdict> crawler = minutes(60, Probes::crawlerMinute, false, JobHistory.empty());
        List<Verdict> chores = minutes(
                60,
                m -> {
                    List<JobFlow> flows = new ArrayList<>(Probes.choresAndChecks());
                    flows.addAll(Probes.dnsToResolvers());
                    flows.addAll(Probes.chromecastSsdp());
                    return flows;
                },
                true,
                JobHistory.empty());
        System.out.println("probe crawler, 200 web servers a minute, 5 dead, an hour: " + scores(crawler));
        System.out.println("probe statsd, syslog, traces, NTP, DNS, checks, scrapes, SSDP, an hour: " + scores(chores));

        assertThat(firstFlagged(crawler)).as("crawler").isZero();
        assertThat(firstFlagged(chores)).as("chores").isZero();
    }

    @Test
    void aSlowScanAddsUp() {
        JobHistory h = warm;
        Verdict last = null;
        int flaggedAt = -1;
        for (int minute = 0; minute < 30 && flaggedAt < 0; minute++) {
            double[] x = ordinary().with(Probes.slowScanMinute(minute)).features();
            last = model.score(x, h);
            if (last.flagged()) {
                flaggedAt = minute;
            }
            h = model.update(h, x, last);
        }
        System.out.printf(
                Locale.ROOT,
                "probe slow scan, 2 probes a minute: flagged after %d minutes, score %.3f %s%n",
                flaggedAt + 1,
                last.score(),
                last.categories());
        assertThat(flaggedAt).as("minutes until flagged").isBetween(0, 29);
        assertThat(last.categories()).contains(Category.NETWORK_SCAN);
    }

    @Test
    void aJobGoingQuietIsNeverFlagged() {
        JobHistory h = warm;
        List<String> scores = new ArrayList<>();
        List<double[]> quiet = List.of(
                scene().features(), // nothing at all: preempted
                scene().with(ncclPeers(15)).features(), // GPUs gone quiet, peers still up: a data stall
                scene().gpus(WindowScene.gpu(range(0, 8), 0, 0, null)).features(), // idle GPUs, no processes: restart
                scene().with(trackerConnection(TRACKER))
                        .popular(TRACKER, 12, 3)
                        .gpus(WindowScene.gpu(range(0, 8), 0.05, 0.01, "python"))
                        .features()); // the quiet tail before STOP
        for (int w = 0; w < 20; w++) {
            double[] x = quiet.get(w % quiet.size());
            Verdict v = model.score(x, h);
            scores.add(String.format(Locale.ROOT, "%.3f", v.score()));
            assertThat(v.flagged()).as("quiet window %d", w).isFalse();
            assertThat(model.score(x, JobHistory.empty()).flagged()).isFalse();
            h = model.update(h, x, v);
        }
        for (int w = 0; w < 5; w++) {
            double[] x = ordinary().features();
            Verdict v = model.score(x, h);
            scores.add(String.format(Locale.ROOT, "back %.3f", v.score()));
            assertThat(v.flagged()).as("back to work, window %d", w).isFalse();
            h = model.update(h, x, v);
        }
        System.out.println(
                "probe job going quiet, then back: " + scores.stream().collect(Collectors.joining(" ")));
    }

    @Test
    void busyGpusWithTheJobsProcessesGoneAreSeen() {
        List<GpuSample> noProcess = WindowScene.gpu(range(0, 8), 0.95, 0.0, null);
        double[] x = scene().with(ncclPeers(15))
                .with(trackerConnection(TRACKER))
                .popular(TRACKER, 12, 3)
                .gpus(noProcess)
                .features();
        Scores s = score("busy GPUs, the job's processes gone", x);
        assertThat(x[FeatureSet.CURRENT.index(FeatureSet.BUSY_GPUS_WITHOUT_PROCESS)])
                .isEqualTo(1.0);
        assertThat(s.warm.score()).isGreaterThan(s.cold.score());

        List<GpuSample> foreign = new ArrayList<>(training(range(0, 6)));
        foreign.addAll(WindowScene.gpu(range(6, 8), 0.98, 0.0, "worker"));
        score(
                "2 of 8 GPUs hashing under a foreign process",
                ordinary().gpus(List.of()).with(List.of()).gpus(foreign).features());
        assertThat(Fixtures.JOB).isNotBlank();
    }
}
