package io.vigil.tools.alerts;

import io.vigil.records.Printable;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The suppression a false-positive verdict proposes, as {@code vigil suppress add} command lines for the analyst to
 * read and run (never applied here): what the incident showed, narrowly, for a short while.
 *
 * <ul>
 *   <li>One rule per suspicious destination: each external address of the incident's evidence (the cluster's own
 *       addresses are where a job's ordinary traffic goes, and a scan's targets change from window to window) as a
 *       single-address CIDR ({@code /32}, {@code /128}) with its port, at most {@link #MAX_RULES}. With none, one
 *       rule per category the incident named.
 *   <li>Every rule names the job exactly, and the category when the incident named one only (a rule for one
 *       destination that also named one of two categories would let the other one through).
 *   <li>Rule ids are derived from the incident ({@code fp-} and the incident id's first 8 characters, then
 *       {@code -2}, {@code -3}…): proposing again proposes the same rules, and running them again replaces them.
 *   <li>The rules expire ({@link #DEFAULT_EXPIRY} unless told otherwise): a benign destination that stays benign is
 *       worth a rule someone renews on purpose.
 * </ul>
 * The job's labels are not on the alert, so no rule names one.
 */
public final class SuppressionProposal {
    public static final String DEFAULT_EXPIRY = "7d";

    /** The most rules one verdict proposes: the evidence lists the top destinations only. */
    public static final int MAX_RULES = 5;

    private static final Pattern IPV4 =
            Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_@%+=:,./-]+");

    private SuppressionProposal() {}

    /**
     * The command lines, one rule each; past {@link #MAX_RULES}, a shell comment that says how many were left out.
     *
     * @param reason why (the verdict's note, or what the verdict was)
     * @param author who judged
     * @param expires how long the rules last, as {@code vigil suppress add --expires} takes it
     */
    public static List<String> commands(JudgedIncident incident, String reason, String author, String expires) {
        Set<String> cidrPorts = new LinkedHashSet<>();
        for (Transition.Endpoint d : incident.destinations()) {
            if (d.external() && IPV4.matcher(d.ip()).matches()) {
                cidrPorts.add(d.ip() + "/32 " + d.port());
            } else if (d.external() && IPV6.matcher(d.ip()).matches()) {
                cidrPorts.add(d.ip().toLowerCase(Locale.ROOT) + "/128 " + d.port());
            }
        }
        String onlyCategory =
                incident.categories().size() == 1 ? incident.categories().get(0) : null;
        List<List<String>> narrowings = new ArrayList<>();
        for (String cidrPort : cidrPorts) {
            String[] parts = cidrPort.split(" ");
            List<String> n = new ArrayList<>(List.of("--cidr", parts[0], "--port", parts[1]));
            if (onlyCategory != null) {
                n.addAll(List.of("--category", onlyCategory));
            }
            narrowings.add(n);
        }
        if (narrowings.isEmpty()) {
            for (String category : incident.categories()) {
                narrowings.add(List.of("--category", category));
            }
        }
        if (narrowings.isEmpty()) {
            narrowings.add(List.of());
        }
        String idBase = "fp-"
                + incident.incidentId()
                        .substring(0, Math.min(8, incident.incidentId().length()));
        List<String> commands = new ArrayList<>();
        for (int i = 0; i < narrowings.size() && i < MAX_RULES; i++) {
            List<String> words = new ArrayList<>(List.of("vigil", "suppress", "add", "--id"));
            words.add(i == 0 ? idBase : idBase + "-" + (i + 1));
            words.addAll(List.of("--job", incident.jobId()));
            words.addAll(narrowings.get(i));
            words.addAll(List.of("--reason", reason, "--author", author, "--expires", expires));
            commands.add(String.join(
                    " ", words.stream().map(SuppressionProposal::shellWord).toList()));
        }
        if (narrowings.size() > MAX_RULES) {
            commands.add(
                    "# and " + (narrowings.size() - MAX_RULES) + " more of the incident's destinations, not proposed");
        }
        return commands;
    }

    /**
     * One word as a POSIX shell reads it back: as it is when plain, else in single quotes; characters a terminal
     * would act on are shown as escapes ({@link Printable}), so the line printed is the line run.
     */
    static String shellWord(String word) {
        String shown = Printable.escape(word);
        if (PLAIN.matcher(shown).matches()) {
            return shown;
        }
        return "'" + shown.replace("'", "'\\''") + "'";
    }
}
