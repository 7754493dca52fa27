package io.vigil.records.wire;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Comparator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Secrets in URLs ({@code https://user:password@registry/}): taken out of the URL to become an
 * {@code Authorization} header, and hidden wherever a URL or a message about one is shown (logs, exceptions,
 * stdout, metrics), as {@code [hidden]}. Java's HTTP client neither sends nor hides the user info itself.
 * Other secrets this process is given (Kafka client passwords, read from a file or a flag) are registered with
 * {@link #hide}, and {@link #redact} hides them too, wherever a message repeats one.
 */
public final class Credentials {
    /** What a secret is replaced with. */
    public static final String HIDDEN = "[hidden]";

    /**
     * {@code scheme://userinfo@}: the user info of a URL anywhere in a text, spaces included (a bad URL may have
     * them); the scheme may hold '_' as Kafka's listener names do ({@code SASL_SSL://}).
     */
    private static final Pattern USER_INFO = Pattern.compile("(?i)\\b([a-z][a-z0-9+._-]*://)[^/@\\n]*@");

    /** Secret values this process was given: never shown, whatever message repeats them. */
    private static final Set<String> SECRETS = ConcurrentHashMap.newKeySet();

    private Credentials() {}

    /**
     * Shorter values are not looked for in texts: hiding every "ab" would garble each message, and a secret that
     * short keeps nothing secret anyway.
     */
    static final int SHORTEST_SECRET = 4;

    /**
     * Registers a secret value: from now on {@link #redact} hides it in any text. Null, or shorter than
     * {@value #SHORTEST_SECRET} characters: nothing.
     */
    public static void hide(String secret) {
        if (secret != null && secret.length() >= SHORTEST_SECRET) {
            SECRETS.add(secret);
        }
    }

    /** The text with the user info of every URL in it, and every value registered with {@link #hide}, hidden. */
    public static String redact(String text) {
        if (text == null) {
            return null;
        }
        String hidden = text;
        if (!SECRETS.isEmpty()) {
            // the longest first: a secret that contains another is hidden whole
            for (String secret : SECRETS.stream()
                    .sorted(Comparator.comparingInt(String::length).reversed())
                    .toList()) {
                hidden = hidden.replace(secret, HIDDEN);
            }
        }
        return USER_INFO.matcher(hidden).replaceAll("$1" + Matcher.quoteReplacement(HIDDEN) + "@");
    }

    /**
     * Parses a URL that may carry credentials; a URL that does not parse is refused with a message that does
     * not repeat its secret (the JDK's own message quotes the whole input, so it is not kept as a cause).
     */
    public static URI parse(String url, String what) {
        try {
            return URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    what + " is not a valid URL: " + redact(url) + " (" + redact(e.getMessage()) + ")");
        }
    }

    /** The URL without its user info. */
    public static URI withoutUserInfo(URI uri) {
        String userInfo = uri.getRawUserInfo();
        return userInfo == null ? uri : URI.create(uri.toString().replace(userInfo + "@", ""));
    }

    /** The {@code Authorization} header value the URL's user info stands for, or null without one. */
    public static String basicAuthorization(URI uri) {
        String userInfo = uri.getUserInfo();
        return userInfo == null
                ? null
                : "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
    }
}
