package io.vigil.records.agents;

import io.vigil.records.AgentEvent;
import io.vigil.records.wire.Credentials;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The argument text of an agent's tool call as Vigil keeps it: secrets masked and the text cut, once, where the
 * record enters (the source's decoding, before any state, topic or dead letter sees it). An agent under training
 * types tokens, passwords and keys into its commands like anyone else; Vigil needs the command's shape (the tool,
 * the host, the flags), never the secret.
 *
 * <p>Masked as {@link Credentials#HIDDEN}: the value after a name that says secret ({@code password=},
 * {@code --token X}, {@code -p:}, {@code AWS_SECRET_ACCESS_KEY=}), an HTTP {@code Authorization} header's
 * credentials, a URL's user info, private key blocks, and values shaped like well-known tokens (GitHub, AWS access
 * key ids, Slack, Hugging Face, OpenAI-style {@code sk-}, JWTs), whatever names them.
 */
public final class AgentCommands {
    /** The longest command kept, in characters; the rest is cut with a note of how much. */
    public static final int MAX_CHARS = 2048;

    private static final String HIDDEN = Credentials.HIDDEN;

    /** PEM private keys, to their end or the end of the text (a cut key is still a key). */
    private static final Pattern PRIVATE_KEY = Pattern.compile(
            "-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\\s\\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|\\z)");

    /**
     * {@code Authorization: Bearer X}, {@code Authorization: Basic X}, {@code -u user:password}, {@code sshpass -p X}
     * (the one tool whose {@code -p} is a password, where ssh's is a port).
     */
    private static final Pattern AUTHORIZATION =
            Pattern.compile("(?i)(authorization\\s*:\\s*(?:bearer|basic|token|digest)?\\s*)[^\\s'\"]+"
                    + "|(\\s(?:-u|--user)\\s+[^\\s:'\"]+:)[^\\s'\"]+"
                    + "|(\\bsshpass\\s+(?:-[a-oq-z]\\S*\\s+)*-p\\s*)(?:'[^']*'|\"[^\"]*\"|[^\\s'\"]+)");

    /**
     * A name that says secret, then {@code =}, {@code :} or spaces, then the value (quoted or not). The name may be
     * part of a longer one ({@code DB_PASSWORD}, {@code --api-key}, {@code aws_secret_access_key}).
     */
    private static final Pattern NAMED = Pattern.compile("(?i)((?:[a-z0-9_.-]*?)"
            + "(?:passw(?:or)?d|passphrase|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credentials?|pwd)"
            + "[a-z0-9_-]*['\"]?(?:\\s*[=:]\\s*|\\s+))(\"[^\"]*\"|'[^']*'|[^\\s'\"&;|]+)");

    /** Values shaped like well-known tokens, named or not. */
    private static final List<Pattern> TOKENS = List.of(
            Pattern.compile("\\bgh[pousr]_[A-Za-z0-9]{20,}"),
            Pattern.compile("\\bgithub_pat_[A-Za-z0-9_]{20,}"),
            Pattern.compile("\\b(?:AKIA|ASIA)[0-9A-Z]{16}\\b"),
            Pattern.compile("\\bxox[abprs]-[A-Za-z0-9-]{10,}"),
            Pattern.compile("\\bhf_[A-Za-z0-9]{20,}"),
            Pattern.compile("\\bsk-[A-Za-z0-9_-]{20,}"),
            Pattern.compile("\\beyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}"));

    private AgentCommands() {}

    /** The event with its command masked and cut; the same object when there was nothing to change. */
    public static AgentEvent atEdge(AgentEvent event) {
        String command = event.getCommand();
        String kept = command == null ? null : cut(mask(command));
        if (kept == null || kept.equals(command)) {
            return event;
        }
        event.setCommand(kept);
        return event;
    }

    /** The text with every secret this class knows the shape of replaced by {@link Credentials#HIDDEN}. */
    public static String mask(String text) {
        if (text == null) {
            return null;
        }
        String s = PRIVATE_KEY.matcher(text).replaceAll(Matcher.quoteReplacement(HIDDEN));
        Matcher auth = AUTHORIZATION.matcher(s);
        StringBuilder out = new StringBuilder();
        while (auth.find()) {
            String head = auth.group(1) != null ? auth.group(1) : auth.group(2) != null ? auth.group(2) : auth.group(3);
            auth.appendReplacement(out, Matcher.quoteReplacement(head + HIDDEN));
        }
        s = auth.appendTail(out).toString();
        s = NAMED.matcher(s)
                .replaceAll(m -> Matcher.quoteReplacement(m.group(2).equals(HIDDEN) ? m.group() : m.group(1) + HIDDEN));
        for (Pattern token : TOKENS) {
            s = token.matcher(s).replaceAll(Matcher.quoteReplacement(HIDDEN));
        }
        return Credentials.redact(s);
    }

    /** The text cut to {@link #MAX_CHARS} on a code point boundary, saying how much was left out. */
    public static String cut(String text) {
        if (text == null || text.length() <= MAX_CHARS) {
            return text;
        }
        int end = MAX_CHARS;
        if (Character.isLowSurrogate(text.charAt(end)) && Character.isHighSurrogate(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(0, end) + "... [" + (text.length() - end) + " more characters]";
    }
}
