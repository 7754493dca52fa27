package io.vigil.tools.cli;

import io.vigil.models.suppression.Suppression;
import io.vigil.models.suppression.Suppressions;
import io.vigil.pipeline.detect.SuppressionInput;
import io.vigil.pipeline.kafka.SuppressionTopic;
import io.vigil.records.Category;
import io.vigil.records.DeadLetter;
import io.vigil.records.Printable;
import io.vigil.records.RecordType;
import io.vigil.records.SuppressionRule;
import io.vigil.records.json.JsonRecordCodec;
import io.vigil.settings.SettingOptions;
import io.vigil.settings.Topic;
import io.vigil.settings.UsesSettings;
import io.vigil.settings.VigilConfig;
import io.vigil.tools.output.TextTable;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Analysts' suppression rules on the compacted suppression topic, which the running detect job follows. */
@Command(
        name = "suppress",
        mixinStandardHelpOptions = true,
        description = {
            "Add, remove and list suppression rules: what an analyst has judged benign (a job or job glob, a job"
                    + " label, a destination range and/or port, a category), with a reason, an author and an"
                    + " expiry. Rules go to the compacted suppression topic keyed by id; the running detect job"
                    + " reads it as a broadcast input (no restart) and applies a rule from the next window on. A"
                    + " flagged window a rule silences is still written to the windows topic, marked with the rule's"
                    + " id (suppressed_by), and counted (metric alertsSuppressed, per rule), but opens or updates no"
                    + " incident. A destination rule silences a window when every suspicious destination of its"
                    + " evidence (external, or with unanswered attempts; else all it lists) lies in the range and on"
                    + " the port; a category rule takes its category off the window's alert, and silences the window"
                    + " when none remains. A rule that matches everything is refused.",
            ""
        },
        subcommands = {SuppressCommand.AddRule.class, SuppressCommand.RemoveRule.class, SuppressCommand.ListRules.class
        })
final class SuppressCommand implements Runnable {
    @Spec
    CommandSpec spec;

    static final List<String> SETTINGS =
            List.of(VigilConfig.BOOTSTRAP_SERVERS, VigilConfig.SCHEMA_REGISTRY_URL, Topic.SUPPRESSIONS.nameSetting());

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** A rules file that cannot be used; the message names the file and line. */
    static final class BadRules extends Exception {
        BadRules(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The rules of a --suppressions file; none without one. */
    static Suppressions rulesFile(Path file) throws BadRules {
        if (file == null) {
            return Suppressions.none();
        }
        try {
            return SuppressionInput.readJsonLines(file);
        } catch (IOException e) {
            throw new BadRules("cannot read suppression rules " + file + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new BadRules(e.getMessage(), e);
        }
    }

    @Command(
            name = "add",
            mixinStandardHelpOptions = true,
            description = {
                "Publish a rule (a rule with the same id is replaced). Every condition given must hold; at least one"
                        + " must narrow it.",
                ""
            },
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {"0:published", "1:the broker did not take it", "2:bad usage or a rule that is refused"})
    static final class AddRule implements Callable<Integer>, UsesSettings {
        @Spec
        CommandSpec spec;

        @Option(
                names = "--id",
                required = true,
                paramLabel = "ID",
                description = "The rule's id: letters, digits, . _ : @ - (at most " + Suppression.MAX_ID_LENGTH
                        + "); names it in metrics and in suppressed_by.")
        String id;

        @Option(
                names = "--job",
                paramLabel = "GLOB",
                description = "Job id, or a glob of job ids (* any run of characters, ? one).")
        String job;

        @Option(
                names = "--label",
                paramLabel = "KEY=VALUE",
                description = "A scheduler label the job must have (from its assignments); repeatable, all must hold.")
        Map<String, String> labels = new LinkedHashMap<>();

        @Option(
                names = "--cidr",
                paramLabel = "CIDR",
                description = "Destination range, IPv4 or IPv6 (an address alone: that host). Without --category,"
                        + " it takes off each of a window's categories whose every destination lies in it (a tunnel's"
                        + " far end, a scan's targets); one that also stands on the GPUs stays. With --category, every"
                        + " suspicious destination of the window must lie in it.")
        String cidr;

        @Option(
                names = "--port",
                paramLabel = "N",
                description =
                        "Destination port: as --cidr, the destinations must be on it (a scan's: each failed port).")
        Integer port;

        @Option(
                names = "--category",
                paramLabel = "CAT",
                description = "Only this category is taken off the window (crypto_mining, reverse_tunnel,"
                        + " network_scan, gpu_diversion, exfiltration, unknown); without it, the whole window.")
        String category;

        @Option(names = "--reason", required = true, paramLabel = "TEXT", description = "Why it is benign.")
        String reason;

        @Option(names = "--author", required = true, paramLabel = "NAME", description = "Who decided.")
        String author;

        @Option(
                names = "--expires",
                paramLabel = "DURATION|INSTANT",
                description = "When it stops matching: a duration from now (90m, 12h, 7d, 2w, or ISO-8601 such as"
                        + " P7D) or an instant (2026-03-01T00:00:00Z). Judged against each window's event time."
                        + " Default: never.")
        String expires;

        @Option(
                names = "--created",
                paramLabel = "INSTANT",
                description = "When the rule was decided, in event time (2026-02-10T09:30:00Z); a duration in"
                        + " --expires counts from it. For a drill on recorded data, whose windows lie in the past:"
                        + " the recording's time lets a rule expire within it. Default: now.")
        String created;

        @Override
        public List<String> settingKeys() {
            return SETTINGS;
        }

        @Override
        public Integer call() {
            VigilConfig config = SettingOptions.read(spec, settingKeys());
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            SuppressionRule rule;
            try {
                Instant now = created == null ? Instant.now().truncatedTo(ChronoUnit.MILLIS) : instant(created);
                rule = SuppressionRule.newBuilder()
                        .setId(id)
                        .setJob(job)
                        .setLabels(Map.copyOf(labels))
                        .setCidr(cidr)
                        .setPort(port)
                        .setCategory(category == null ? null : category(category))
                        .setReason(reason)
                        .setAuthor(author)
                        .setCreated(now)
                        .setExpires(expires == null ? null : expiry(expires, now))
                        .build();
            } catch (IllegalArgumentException e) {
                err.println("vigil suppress add: " + Printable.escape(e.getMessage()));
                return 2;
            }
            String refusal = Suppression.refusal(rule);
            if (refusal != null) {
                err.println("vigil suppress add: refused: " + Printable.escape(refusal));
                return 2;
            }
            SuppressionTopic.publish(config, rule);
            out.println("published " + Printable.escape(Suppression.of(rule).toString()) + " to "
                    + Printable.escape(config.topic(Topic.SUPPRESSIONS)));
            out.flush();
            return 0;
        }
    }

    @Command(
            name = "remove",
            mixinStandardHelpOptions = true,
            description = {
                "Remove a rule: publish its tombstone. The running job stops applying it from the next window on.",
                ""
            })
    static final class RemoveRule implements Callable<Integer>, UsesSettings {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "ID", description = "The rule's id.")
        String id;

        @Override
        public List<String> settingKeys() {
            return SETTINGS;
        }

        @Override
        public Integer call() {
            VigilConfig config = SettingOptions.read(spec, settingKeys());
            PrintWriter out = spec.commandLine().getOut();
            boolean known = SuppressionTopic.read(config).rules().containsKey(id);
            SuppressionTopic.remove(config, id);
            out.println("removed " + Printable.escape(id)
                    + (known ? "" : " (it was not in force: a tombstone all the same)"));
            out.flush();
            return 0;
        }
    }

    @Command(
            name = "list",
            mixinStandardHelpOptions = true,
            description = {
                "List the rules in force: the suppression topic read to its end (read_committed), the latest version"
                        + " of each id, tombstoned ones left out. A message the job would refuse is reported on stderr.",
                ""
            })
    static final class ListRules implements Callable<Integer>, UsesSettings {
        private static final JsonRecordCodec<SuppressionRule> JSON = JsonRecordCodec.of(RecordType.SUPPRESSION);

        @Spec
        CommandSpec spec;

        @Option(
                names = "--json",
                description = "One JSON object a line (the SuppressionRule record): what replay and evaluate read"
                        + " with --suppressions.")
        boolean json;

        @Override
        public List<String> settingKeys() {
            return SETTINGS;
        }

        @Override
        public Integer call() {
            VigilConfig config = SettingOptions.read(spec, settingKeys());
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            SuppressionTopic.Contents contents = SuppressionTopic.read(config);
            for (DeadLetter refused : contents.refused()) {
                err.printf(
                        "refused %s: %s%n",
                        Printable.escape(refused.getSource()), Printable.escape(refused.getDetail()));
            }
            err.flush();
            if (json) {
                contents.rules().values().forEach(r -> out.println(JSON.encode(r)));
            } else {
                Instant now = Instant.now();
                TextTable table =
                        new TextTable("id", "job", "labels", "cidr", "port", "category", "expires", "author", "reason");
                for (SuppressionRule r : contents.rules().values()) {
                    table.row(
                            r.getId(),
                            orAny(r.getJob()),
                            r.getLabels().isEmpty()
                                    ? "-"
                                    : r.getLabels().entrySet().stream()
                                            .map(e -> e.getKey() + "=" + e.getValue())
                                            .sorted()
                                            .collect(Collectors.joining(",")),
                            orAny(r.getCidr()),
                            r.getPort() == null ? "-" : String.valueOf(r.getPort()),
                            r.getCategory() == null
                                    ? "-"
                                    : r.getCategory().name().toLowerCase(Locale.ROOT),
                            r.getExpires() == null
                                    ? "never"
                                    : r.getExpires() + (r.getExpires().isBefore(now) ? " (past)" : ""),
                            r.getAuthor(),
                            r.getReason());
                }
                out.print(table);
                out.printf("%d rule%s in force%n", table.size(), table.size() == 1 ? "" : "s");
            }
            out.flush();
            return 0;
        }

        private static String orAny(String value) {
            return value == null ? "-" : value;
        }
    }

    /** A category by its symbol, in any case, with - or _. */
    static Category category(String text) {
        String symbol = text.strip().toUpperCase(Locale.ROOT).replace('-', '_');
        for (Category c : Category.values()) {
            if (c.name().equals(symbol)) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown category '" + text + "'; known: "
                + Arrays.stream(Category.values())
                        .map(c -> c.name().toLowerCase(Locale.ROOT))
                        .collect(Collectors.joining(", ")));
    }

    /** An instant as --created takes it. */
    static Instant instant(String text) {
        try {
            return Instant.parse(text.strip()).truncatedTo(ChronoUnit.MILLIS);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("--created '" + text + "' is not an instant (2026-02-10T09:30:00Z)");
        }
    }

    private static final Pattern SHORT_DURATION = Pattern.compile("([0-9]{1,9})([smhdw])");

    /** An expiry: a duration from now (90m, 12h, 7d, 2w, P7D, PT12H) or an ISO-8601 instant. */
    static Instant expiry(String text, Instant now) {
        String t = text.strip();
        Matcher m = SHORT_DURATION.matcher(t.toLowerCase(Locale.ROOT));
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            Duration d = switch (m.group(2)) {
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                case "d" -> Duration.ofDays(n);
                default -> Duration.ofDays(7 * n);
            };
            return now.plus(d);
        }
        try {
            if (t.startsWith("P") || t.startsWith("p")) {
                return now.plus(Duration.parse(t));
            }
            return Instant.parse(t);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("--expires '" + text
                    + "' is neither a duration (90m, 12h, 7d, 2w, P7D) nor an instant (2026-03-01T00:00:00Z)");
        }
    }
}
