package io.vigil.tools.replay;

import io.vigil.pipeline.detect.Alerts;
import io.vigil.records.Alert;
import io.vigil.records.DeadLetter;
import io.vigil.records.EpisodeFlag;
import io.vigil.records.JobWindow;
import io.vigil.records.RecordType;
import io.vigil.records.json.JsonRecordCodec;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;

/**
 * The records of a replay in an order that does not depend on parallelism or timing: alerts (incident
 * transitions) by when they happened (the end of the window that opened or updated the incident; when it
 * closed), job and alert id; flagged windows and windows by window start and job; dead letters by source (file,
 * then line as a number).
 * Ties between datasets go in the order the datasets were given, then by the record's own JSON text.
 *
 * <p>So two replays of the same input give the same alerts.jsonl and deadletter.jsonl, byte for byte. The
 * records of windows.jsonl are the same too, except that a float feature summed over GPU samples (the GPU
 * means: {@code tensor_active}, {@code tensor_per_sm}, ...) may differ in its last bits: samples of one job
 * that share a timestamp reach the window in no fixed order, and floating-point addition is not associative.
 */
final class ReplayRecords {
    static final Comparator<Alert> ALERT_ORDER = Comparator.comparing(Alerts::happenedAt)
            .thenComparing(Alert::getJobId)
            .thenComparing(Alert::getAlertId);
    static final Comparator<Alert> FLAGGED_ORDER = Comparator.comparing(Alert::getWindowStart)
            .thenComparing(Alert::getJobId)
            .thenComparing(Alert::getAlertId);
    static final Comparator<EpisodeFlag> FLAG_ORDER = Comparator.comparing(EpisodeFlag::getFlaggedAt)
            .thenComparing(EpisodeFlag::getJobId)
            .thenComparing(EpisodeFlag::getIncidentId)
            .thenComparingInt(EpisodeFlag::getRank)
            .thenComparing(EpisodeFlag::getFlagId);
    static final Comparator<JobWindow> WINDOW_ORDER =
            Comparator.comparing(JobWindow::getWindowStart).thenComparing(JobWindow::getJobId);
    static final Comparator<DeadLetter> DEAD_LETTER_ORDER = Comparator.comparing(
                    (DeadLetter d) -> SourcePosition.of(d.getSource()))
            .thenComparing(d ->
                    d.getEventTs() == null ? Long.MIN_VALUE : d.getEventTs().toEpochMilli())
            .thenComparing(DeadLetter::getReason)
            // a total order: dead letters of one source line and time (attribution's) arrive in any order
            .thenComparing(DeadLetter::getDetail, Comparator.nullsFirst(Comparator.naturalOrder()))
            .thenComparing(DeadLetter::getOriginalText, Comparator.nullsFirst(Comparator.naturalOrder()));

    private ReplayRecords() {}

    /** All datasets' records of one kind, in the stable order; each line already encoded. */
    static <T extends SpecificRecord> List<String> sorted(
            List<Replay.DatasetResult> datasets,
            Function<Replay.DatasetResult, List<T>> records,
            Comparator<T> order,
            RecordType<T> type) {
        record Item<T>(T record, int dataset, String json) {}
        JsonRecordCodec<T> codec = JsonRecordCodec.of(type);
        List<Item<T>> items = new ArrayList<>();
        for (int i = 0; i < datasets.size(); i++) {
            for (T r : records.apply(datasets.get(i))) {
                items.add(new Item<>(r, i, codec.encode(r)));
            }
        }
        items.sort(Comparator.<Item<T>, T>comparing(Item::record, order)
                .thenComparingInt(Item::dataset)
                .thenComparing(Item::json));
        return items.stream().map(Item::json).toList();
    }

    /** Dead letters counted by reason, reasons in alphabetical order. */
    static Map<String, Long> byReason(List<DeadLetter> deadLetters) {
        return new TreeMap<>(
                deadLetters.stream().collect(Collectors.groupingBy(DeadLetter::getReason, Collectors.counting())));
    }

    /** A dead letter's source as (place, number): {@code story/flows.jsonl.gz:10} after {@code :9}. */
    record SourcePosition(String place, long number) implements Comparable<SourcePosition> {
        static SourcePosition of(String source) {
            int colon = source.lastIndexOf(':');
            if (colon > 0 && colon < source.length() - 1) {
                String tail = source.substring(colon + 1);
                if (tail.chars().allMatch(Character::isDigit) && tail.length() < 19) {
                    return new SourcePosition(source.substring(0, colon), Long.parseLong(tail));
                }
            }
            return new SourcePosition(source, -1);
        }

        @Override
        public int compareTo(SourcePosition o) {
            int c = place.compareTo(o.place);
            return c != 0 ? c : Long.compare(number, o.number);
        }
    }
}
