package io.vigil.tools.cli;

import io.vigil.records.Category;
import io.vigil.records.Decoded;
import io.vigil.records.Printable;
import io.vigil.records.RecordType;
import io.vigil.records.wire.Framings;
import io.vigil.settings.KafkaClients;
import io.vigil.settings.SettingOptions;
import io.vigil.settings.Topic;
import io.vigil.settings.UsesSettings;
import io.vigil.settings.VigilConfig;
import io.vigil.tools.CommittedTopic;
import io.vigil.tools.alerts.JudgedIncident;
import io.vigil.tools.alerts.SuppressionProposal;
import io.vigil.tools.alerts.Transition;
import io.vigil.tools.windows.Feedback;
import io.vigil.tools.windows.FeedbackTopic;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Publishes an analyst's verdict on an alert or incident to the feedback topic, for retraining. */
@Command(
        name = "verdict",
        mixinStandardHelpOptions = true,
        description = {
            "Publish an analyst's verdict on an alert or incident to the feedback topic, where `vigil windows"
                    + " --feedback-topic` reads it for retraining. ID is what `vigil alerts` shows: an incident id or"
                    + " the id of one of its transitions (alert_id); the verdict is on the whole incident.",
            "The incident's job and span (its first flagged window's start to its last one's end) are looked up on the"
                    + " alert topic (read_committed, from its beginning; give the --alert-format the job writes). An"
                    + " incident the topic no longer holds is judged with --job and --window-start [--window-end]"
                    + " instead, without the lookup.",
            "The message is the JSON of a feedback file line, keyed ID/AUTHOR (the incident id when looked up):"
                    + " publishing again replaces that analyst's verdict.",
            ""
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:published",
            "1:the brokers refused this client, or did not take the verdict",
            "2:bad usage, or the alert topic does not hold ID"
        })
final class VerdictCommand implements Callable<Integer>, UsesSettings {
    @Spec
    CommandSpec spec;

    @Parameters(
            index = "0",
            paramLabel = "ID",
            description = "The incident id, or the alert id of one of its transitions.")
    String id;

    @Parameters(index = "1", paramLabel = "VERDICT", description = "true_positive (misuse) or false_positive (benign).")
    String verdictWord;

    @Option(
            names = "--job",
            paramLabel = "JOB",
            description = "The incident's job: checked against the alert topic; required with --window-start.")
    String job;

    @Option(
            names = "--window-start",
            paramLabel = "INSTANT",
            description = "Judge without the alert topic: the start of the incident's first window (ISO-8601 or epoch"
                    + " ms).")
    String windowStart;

    @Option(
            names = "--window-end",
            paramLabel = "INSTANT",
            description = "With --window-start: the end of the incident's last window; without it, only the window"
                    + " holding --window-start.")
    String windowEnd;

    @Option(
            names = "--category",
            paramLabel = "CAT",
            description = "true_positive only: the kind of misuse (${COMPLETION-CANDIDATES}). Default: the incident's"
                    + " category when it named one only; else the window's labelled category, else UNKNOWN.")
    Category category;

    @Option(names = "--note", paramLabel = "TEXT", description = "Why: kept with the verdict.")
    String note;

    @Option(
            names = "--author",
            paramLabel = "NAME",
            description = "Who judged. Default: the user running the command (${sys:user.name}).")
    String author = System.getProperty("user.name");

    @Option(
            names = "--propose-suppression",
            description = "false_positive only: also print (not apply) `vigil suppress add` commands that would"
                    + " silence what the incident showed: its external destinations (/32 or /128 and port; none:"
                    + " its categories), its job, its category when it named one only, expiring after"
                    + " --suppression-expires.")
    boolean proposeSuppression;

    @Option(
            names = "--suppression-expires",
            paramLabel = "DURATION",
            description = "How long proposed suppressions last. Default: ${DEFAULT-VALUE}.")
    String suppressionExpires = SuppressionProposal.DEFAULT_EXPIRY;

    @Override
    public List<String> settingKeys() {
        return List.of(
                VigilConfig.BOOTSTRAP_SERVERS,
                VigilConfig.SCHEMA_REGISTRY_URL,
                VigilConfig.ALERT_FORMAT,
                Topic.ALERTS.nameSetting(),
                Topic.FEEDBACK.nameSetting());
    }

    @Override
    public Integer call() {
        VigilConfig config = SettingOptions.read(spec, settingKeys());
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Feedback.Judgement judgement = Feedback.Judgement.of(verdictWord)
                .orElseThrow(() -> usage("verdict \"" + verdictWord + "\" is not one of "
                        + Arrays.stream(Feedback.Judgement.values())
                                .map(Feedback.Judgement::code)
                                .toList()));
        if (judgement == Feedback.Judgement.FALSE_POSITIVE && category != null) {
            throw usage("--category is for a true_positive: a false_positive says the incident is benign");
        }
        if (judgement == Feedback.Judgement.TRUE_POSITIVE && proposeSuppression) {
            throw usage("--propose-suppression is for a false_positive: a true positive is not silenced");
        }
        if (author == null || author.isBlank()) {
            throw usage("--author is empty (and the user running the command has no name): say who judged");
        }

        JudgedIncident incident;
        if (windowStart != null) {
            if (job == null) {
                throw usage("--window-start judges without the alert topic: give the incident's --job too");
            }
            long start = instant(windowStart, "--window-start");
            Long end = windowEnd == null ? null : instant(windowEnd, "--window-end");
            if (end != null && end <= start) {
                throw usage("--window-end " + windowEnd + " is not after --window-start " + windowStart);
            }
            incident = new JudgedIncident(id, job, start, end == null ? start : end, List.of(), List.of());
        } else if (windowEnd != null) {
            throw usage("--window-end goes with --window-start");
        } else {
            Optional<JudgedIncident> found;
            try {
                found = lookUp(config, err);
            } catch (CommittedTopic.MissingTopic e) {
                err.println("vigil verdict: " + e.getMessage());
                return 2;
            } catch (KafkaException e) {
                err.println("vigil verdict: cannot read " + Printable.escape(config.topic(Topic.ALERTS)) + ": "
                        + Printable.escape(KafkaClients.failure(e)));
                return 1;
            }
            if (found.isEmpty()) {
                err.println("vigil verdict: " + Printable.escape(config.topic(Topic.ALERTS)) + " holds no alert or"
                        + " incident " + Printable.escape(id) + " (read to its end, --alert-format "
                        + config.getString(VigilConfig.ALERT_FORMAT) + "); check the id and the format, or judge it"
                        + " with --job and --window-start [--window-end]");
                return 2;
            }
            incident = found.get();
            if (job != null && !job.equals(incident.jobId())) {
                err.println("vigil verdict: incident " + Printable.escape(incident.incidentId()) + " is of job "
                        + Printable.escape(incident.jobId()) + ", not --job " + Printable.escape(job));
                return 2;
            }
        }

        Category verdictCategory = category;
        if (judgement == Feedback.Judgement.TRUE_POSITIVE && verdictCategory == null) {
            verdictCategory = onlyKnownCategory(incident);
        }
        boolean span = incident.lastSeen() > incident.firstSeen();
        Feedback verdict = new Feedback(
                "vigil verdict",
                null,
                incident.jobId(),
                incident.firstSeen(),
                judgement,
                verdictCategory,
                incident.incidentId(),
                span ? incident.lastSeen() : null,
                author,
                note);
        RecordMetadata at = FeedbackTopic.publish(config, FeedbackTopic.key(incident.incidentId(), author), verdict);
        out.println(Printable.escape("# published " + judgement.code()
                + (verdictCategory == null ? "" : " " + verdictCategory.name()) + " by " + author + " on incident "
                + incident.incidentId() + ": job " + incident.jobId() + ", "
                + Instant.ofEpochMilli(incident.firstSeen())
                + (span ? " to " + Instant.ofEpochMilli(incident.lastSeen()) : "") + " (" + at.topic() + "-"
                + at.partition() + "@" + at.offset() + ")"));
        if (proposeSuppression) {
            String reason = note != null ? note : "false positive: incident " + incident.incidentId();
            out.println(
                    "# proposed suppression, not applied: review, then run (expires in " + suppressionExpires + ")");
            SuppressionProposal.commands(incident, reason, author, suppressionExpires)
                    .forEach(out::println);
        }
        out.flush();
        return 0;
    }

    /** The incident ID names, from every transition the alert topic holds; messages it cannot read are counted. */
    private Optional<JudgedIncident> lookUp(VigilConfig config, PrintWriter err) {
        String topic = config.topic(Topic.ALERTS);
        Transition.Reader reader = new Transition.Reader(
                config.getString(VigilConfig.ALERT_FORMAT),
                Framings.forTopic(RecordType.ALERT, topic, config.schemaRegistryUrl()));
        List<Transition> transitions = new ArrayList<>();
        long[] unreadable = {0};
        CommittedTopic.read(config, topic, "vigil-verdict", r -> {
            Decoded<Transition> d = reader.read(r.value());
            if (d.isAccepted()) {
                transitions.add(d.record());
            } else {
                unreadable[0]++;
            }
        });
        if (unreadable[0] > 0) {
            err.println("vigil verdict: skipped " + unreadable[0] + " message(s) of " + Printable.escape(topic)
                    + " that are not alerts in --alert-format " + config.getString(VigilConfig.ALERT_FORMAT));
        }
        return JudgedIncident.find(id, transitions);
    }

    private static Category onlyKnownCategory(JudgedIncident incident) {
        if (incident.categories().size() != 1) {
            return null;
        }
        try {
            Category c = Category.valueOf(incident.categories().get(0));
            return c == Category.UNKNOWN ? null : c;
        } catch (IllegalArgumentException e) {
            return null; // a category of a newer release: the window's label stands
        }
    }

    private long instant(String text, String option) {
        try {
            return text.chars().allMatch(Character::isDigit)
                    ? Long.parseLong(text)
                    : Instant.parse(text).toEpochMilli();
        } catch (NumberFormatException | DateTimeParseException e) {
            throw usage(option + " " + text + ": expected an ISO-8601 instant like 2026-02-14T03:02:00Z or epoch ms");
        }
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
