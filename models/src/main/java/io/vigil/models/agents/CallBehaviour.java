package io.vigil.models.agents;

import io.vigil.models.features.NetworkScope;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a tool call's command does, in behaviours whose meaning comes from the programs and their options, not from
 * any dataset: the one place a command is read for what it does (plain Java, no Flink). A command is a shell line:
 * it is cut at its separators ({@code ; && || | &}, {@code $(}, backquotes, a quoted {@code sh -c} script) into
 * simple commands, and each is read from its program, the first word behind wrappers ({@code sudo}, {@code nohup},
 * {@code env}, {@code timeout N}, assignments, {@code do}/{@code then}), without its path. A word elsewhere ({@code
 * grep ssh}, {@code pytest tests/test_nmap_parser.py}, {@code apt-get install nmap}) is no program.
 *
 * <p>An <em>outside</em> host is a literal address outside the cluster's internal ranges ({@link NetworkScope}), or a
 * dotted name that is not a local or cluster one ({@code .local}, {@code .internal}, {@code .svc}, {@code
 * .cluster.local}, {@code .lan}, {@code .localdomain}, {@code .home.arpa}); {@code localhost}, a bare service name
 * and a shell variable are not (what a variable holds is not known here).
 */
public enum CallBehaviour {
    /**
     * Opens a tunnel, a relay or a remote shell to an outside host: {@code ssh}/{@code autossh} with port forwarding
     * ({@code -R}, {@code -L}, {@code -D}, {@code -w}, or {@code -o RemoteForward=...}), {@code sshuttle}, a {@code
     * chisel client}, a relay service's client ({@code ngrok}, {@code cloudflared tunnel}, {@code bore local}, {@code
     * frpc}), {@code socat} to a TCP or TLS address, {@code nc -e}/{@code -c}, or an interactive shell on {@code
     * /dev/tcp}. What the ROME agent did; a plain {@code ssh git@github.com} or {@code ssh host cmd} is none.
     */
    TUNNEL,
    /**
     * Probes for services: runs a scanner ({@code nmap}, {@code masscan}, {@code zmap}, {@code rustscan}, {@code
     * hping3}, {@code naabu}, {@code unicornscan}) at a target, {@code nc -z} over a port range, or connects (nc,
     * {@code /dev/tcp}, ping) in a loop whose target is the loop's variable ({@code for h in ...; do nc -z 10.0.0.$h
     * 22}). Waiting for one service ({@code until nc -z db 5432; do sleep 1; done}) and {@code nmap --version} are
     * none.
     */
    PROBE,
    /**
     * Names a miner or its pool: a miner's binary run as a program or fetched by URL, a stratum URL, or a known
     * pool's domain. A miner's name as a mere word ({@code grep -rn xmrig logs/}) is none.
     */
    MINER,
    /**
     * A network tool (curl, wget, ssh, scp, rsync, nc, socat, telnet, ftp, a scanner) given a literal outside address
     * rather than a name: a payload's way; people and package managers name their hosts.
     */
    RAW_ADDRESS,
    /** Installs packages: pip, apt, conda, npm, yarn, gem, cargo, go. Ordinary tool use, but it reaches out. */
    PACKAGE_INSTALL;

    /**
     * The behaviours of one command (empty for none, and for null or blank text).
     *
     * @param scope which addresses are the cluster's own
     */
    public static Set<CallBehaviour> of(String command, NetworkScope scope) {
        Set<CallBehaviour> out = EnumSet.noneOf(CallBehaviour.class);
        if (command == null || command.isBlank()) {
            return out;
        }
        // arithmetic ($((RANDOM%8))) is a value, not a subshell: one word before the line is cut at parentheses
        String line = ARITHMETIC.matcher(command.replace('\n', ';')).replaceAll(ARITHMETIC_WORD);
        if (MINER_MENTION.matcher(line).find()) {
            out.add(MINER);
        }
        Set<String> loopVariables = loopVariables(line);
        for (String segment : SEPARATORS.split(line)) {
            List<String> words = words(segment);
            int p = program(words);
            if (p < 0) {
                continue;
            }
            String program = basename(words.get(p));
            List<String> args = words.subList(p + 1, words.size());
            simple(program, args, scope, loopVariables, out);
        }
        Matcher devTcp = DEV_TCP.matcher(line);
        while (devTcp.find()) {
            String host = devTcp.group(1);
            if (INTERACTIVE_SHELL.matcher(line).find() && outside(host, scope)) {
                out.add(TUNNEL);
            }
            if (usesLoopVariable(devTcp.group(), loopVariables)) {
                out.add(PROBE);
            }
            if (isLiteralAddress(host) && outside(host, scope)) {
                out.add(RAW_ADDRESS);
            }
        }
        return out;
    }

    /** Whether the command does any of the strong behaviours (a tunnel out, a probe, a miner). */
    public boolean strong() {
        return this == TUNNEL || this == PROBE || this == MINER;
    }

    /** The behaviours as bits (bit i: the i-th constant), for compact state. */
    public static int bits(Set<CallBehaviour> behaviours) {
        int bits = 0;
        for (CallBehaviour b : behaviours) {
            bits |= 1 << b.ordinal();
        }
        return bits;
    }

    /** Whether {@code bits} ({@link #bits}) hold this behaviour. */
    public boolean in(int bits) {
        return (bits & (1 << ordinal())) != 0;
    }

    // ---- reading a shell line ----

    /** Where one simple command ends and the next begins (quotes are taken as separators: {@code sh -c '...'}). */
    private static final Pattern SEPARATORS = Pattern.compile("&&|\\|\\||[;&|`'\"()]|\\$\\(");

    private static final Pattern ARITHMETIC = Pattern.compile("\\$\\(\\((?:[^()]|\\([^()]*\\))*\\)\\)");
    /** What arithmetic becomes: a value that changes from one iteration to the next, like a loop's variable. */
    private static final String ARITHMETIC_WORD = "\\$ARITHMETIC";

    /** Words before a program that run it rather than being it. */
    private static final Set<String> WRAPPERS = Set.of(
            "sudo", "nohup", "exec", "env", "xargs", "time", "setsid", "nice", "ionice", "stdbuf", "command", "builtin",
            "do", "then", "else", "elif", "if", "while", "until", "!", "{", "}", "-c", "sh", "bash", "zsh", "dash");
    /** Wrappers that take a value before the program: {@code timeout 30 ...}, {@code nice -n 5 ...}. */
    private static final Set<String> WRAPPERS_WITH_VALUE = Set.of("timeout", "-n", "-u");

    private static final Pattern ASSIGNMENT = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*=.*");

    private static List<String> words(String segment) {
        List<String> out = new ArrayList<>();
        for (String w : segment.trim().split("\\s+")) {
            if (!w.isEmpty()) {
                out.add(w);
            }
        }
        return out;
    }

    /**
     * The index of the segment's program, or -1. A shell run with {@code -c} is a wrapper (its script is the next
     * segment); a shell run with a file or {@code -i} is itself the program.
     */
    private static int program(List<String> words) {
        for (int i = 0; i < words.size(); i++) {
            String w = words.get(i);
            String base = basename(w);
            if (WRAPPERS_WITH_VALUE.contains(w) || base.equals("timeout")) {
                i++; // its value
                continue;
            }
            if ((base.equals("sh") || base.equals("bash") || base.equals("zsh") || base.equals("dash"))
                    && !(i + 1 < words.size() && words.get(i + 1).equals("-c"))
                    && i + 1 < words.size()) {
                return i;
            }
            if (WRAPPERS.contains(base) || ASSIGNMENT.matcher(w).matches() || w.startsWith("-") && i > 0) {
                continue;
            }
            return i;
        }
        return -1;
    }

    private static String basename(String word) {
        int slash = word.lastIndexOf('/');
        return (slash >= 0 ? word.substring(slash + 1) : word).toLowerCase(Locale.ROOT);
    }

    // ---- what each program does ----

    private static final Set<String> SSH = Set.of("ssh", "autossh");
    /** ssh's options that take a value (autossh adds -M). */
    private static final String SSH_VALUE_OPTIONS = "bcDEeFIiJLlmOopQRSWw";

    private static final Set<String> SCANNERS =
            Set.of("nmap", "masscan", "zmap", "rustscan", "hping", "hping3", "naabu", "unicornscan", "zgrab", "zgrab2");
    private static final Set<String> RAW_SOCKETS = Set.of("nc", "ncat", "netcat", "nc.traditional", "nc.openbsd");
    private static final Set<String> NETWORK_TOOLS = Set.of(
            "curl",
            "wget",
            "ssh",
            "autossh",
            "scp",
            "sftp",
            "rsync",
            "nc",
            "ncat",
            "netcat",
            "socat",
            "telnet",
            "ftp",
            "tftp",
            "ping",
            "fping",
            "nmap",
            "masscan",
            "zmap",
            "rustscan",
            "hping3",
            "aria2c",
            "lftp");
    private static final Set<String> HELP = Set.of("-h", "--help", "-V", "--version", "-version", "help", "version");
    private static final Set<String> MINERS = Set.of(
            "xmrig",
            "xmr-stak",
            "minerd",
            "cpuminer",
            "cgminer",
            "bfgminer",
            "ethminer",
            "t-rex",
            "lolminer",
            "nbminer",
            "gminer",
            "phoenixminer",
            "nanominer",
            "teamredminer",
            "srbminer",
            "srbminer-multi");

    private static void simple(
            String program, List<String> args, NetworkScope scope, Set<String> loopVariables, Set<CallBehaviour> out) {
        boolean help = !args.isEmpty() && args.stream().allMatch(HELP::contains);
        if (help) {
            return;
        }
        if (NETWORK_TOOLS.contains(program)) {
            for (String a : args) {
                String host = hostOf(a);
                if (host != null && isLiteralAddress(host) && outside(host, scope)) {
                    out.add(RAW_ADDRESS);
                }
            }
        }
        if (MINERS.contains(program) && !args.isEmpty()) {
            out.add(MINER);
        }
        if (SSH.contains(program)) {
            ssh(args, program.equals("autossh") ? SSH_VALUE_OPTIONS + "M" : SSH_VALUE_OPTIONS, scope, out);
        } else if (program.equals("sshuttle")) {
            String remote = valueOf(args, "-r", "--remote");
            if (remote != null && outside(hostOf(remote), scope)) {
                out.add(TUNNEL);
            }
        } else if (program.equals("chisel")) {
            if (!args.isEmpty()
                    && args.get(0).equals("client")
                    && args.size() > 1
                    && outside(hostOf(args.get(1)), scope)) {
                out.add(TUNNEL);
            }
        } else if (program.equals("ngrok") || program.equals("frpc")) {
            if (!args.isEmpty()) {
                out.add(TUNNEL); // a relay service outside the cluster, by what the program is
            }
        } else if (program.equals("cloudflared")) {
            if (args.contains("tunnel") || args.contains("access")) {
                out.add(TUNNEL);
            }
        } else if (program.equals("bore") || program.equals("lt") || program.equals("localtunnel")) {
            if (args.contains("local") || args.contains("--port") || args.contains("-p")) {
                out.add(TUNNEL);
            }
        } else if (program.equals("socat")) {
            for (String a : args) {
                Matcher m = SOCAT_CONNECT.matcher(a);
                if (m.matches() && outside(m.group(1), scope)) {
                    out.add(TUNNEL);
                }
            }
        } else if (RAW_SOCKETS.contains(program)) {
            rawSocket(args, scope, loopVariables, out);
        } else if (SCANNERS.contains(program)) {
            if (args.stream().anyMatch(a -> !a.startsWith("-"))) {
                out.add(PROBE);
            }
        } else if (program.equals("ping") || program.equals("fping") || program.equals("arping")) {
            if (program.equals("fping") && (args.contains("-g") || args.contains("--generate"))
                    || args.stream().anyMatch(a -> usesLoopVariable(a, loopVariables))) {
                out.add(PROBE);
            }
        }
        if (installs(program, args)) {
            out.add(PACKAGE_INSTALL);
        }
    }

    private static void ssh(List<String> args, String valueOptions, NetworkScope scope, Set<CallBehaviour> out) {
        boolean forwards = false;
        String destination = null;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.startsWith("-") && a.length() > 1 && !a.startsWith("--")) {
                for (int c = 1; c < a.length(); c++) {
                    char option = a.charAt(c);
                    if (valueOptions.indexOf(option) >= 0) {
                        String value =
                                c + 1 < a.length() ? a.substring(c + 1) : i + 1 < args.size() ? args.get(++i) : "";
                        if (option == 'R' || option == 'L' || option == 'D' || option == 'w') {
                            forwards = true;
                        } else if (option == 'o'
                                && FORWARD_OPTION.matcher(value).find()) {
                            forwards = true;
                        }
                        break;
                    }
                }
            } else if (destination == null) {
                destination = a;
            }
        }
        if (forwards && destination != null && outside(hostOf(destination), scope)) {
            out.add(TUNNEL);
        }
    }

    private static final Pattern FORWARD_OPTION =
            Pattern.compile("^(?:Remote|Local|Dynamic)Forward|^Tunnel=", Pattern.CASE_INSENSITIVE);

    private static void rawSocket(
            List<String> args, NetworkScope scope, Set<String> loopVariables, Set<CallBehaviour> out) {
        boolean scanMode = false;
        boolean executes = false;
        List<String> operands = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.startsWith("-") && a.length() > 1) {
                scanMode |= a.startsWith("-") && !a.startsWith("--") && a.indexOf('z') > 0;
                boolean exec = a.equals("-e") || a.equals("-c") || a.equals("--exec") || a.equals("--sh-exec");
                executes |= exec;
                if (exec || a.matches("-[a-zA-Z]*[wpqisxXTOIs]")) {
                    i++; // the option's value
                }
            } else {
                operands.add(a);
            }
        }
        if (executes && !operands.isEmpty() && outside(hostOf(operands.get(0)), scope)) {
            out.add(TUNNEL);
        }
        boolean loop = operands.stream().anyMatch(o -> usesLoopVariable(o, loopVariables));
        boolean ports = operands.size() > 2 || operands.stream().skip(1).anyMatch(o -> o.matches("\\d+-\\d+"));
        if (loop || scanMode && ports) {
            out.add(PROBE);
        }
    }

    private static final Pattern SOCAT_CONNECT = Pattern.compile(
            "(?i)(?:TCP[46]?|OPENSSL|SSL|UDP[46]?|SOCKS4A?|PROXY):(\\[[^\\]]+\\]|[^:,]+):[^,]*(?:,.*)?");

    private static boolean installs(String program, List<String> args) {
        String first = args.isEmpty() ? "" : args.get(0);
        return switch (program) {
            case "pip", "pip3", "uv", "pipx", "conda", "mamba", "gem", "cargo", "yarn", "pnpm" ->
                args.contains("install") || args.contains("add");
            case "python", "python3" ->
                args.size() > 2
                        && args.get(0).equals("-m")
                        && args.get(1).startsWith("pip")
                        && args.contains("install");
            case "apt", "apt-get", "yum", "dnf", "apk", "zypper" -> args.contains("install") || args.contains("add");
            case "npm" -> first.equals("install") || first.equals("i") || first.equals("add");
            case "go" -> first.equals("get") || first.equals("install");
            default -> false;
        };
    }

    // ---- loops, hosts and addresses ----

    /** {@code for h in ...} and {@code while read [-r] h}: variables that take one target after another. */
    private static final Pattern LOOP_VARIABLE = Pattern.compile(
            "\\bfor\\s+([A-Za-z_][A-Za-z0-9_]*)\\s+in\\b|\\bread\\s+(?:-r\\s+)?([A-Za-z_][A-Za-z0-9_]*)");

    private static Set<String> loopVariables(String line) {
        Set<String> out = new HashSet<>();
        Matcher m = LOOP_VARIABLE.matcher(line);
        while (m.find()) {
            out.add(m.group(1) != null ? m.group(1) : m.group(2));
        }
        return out;
    }

    /** Whether a word takes its value from a loop's variable, or from arithmetic ({@code $((RANDOM%8))}). */
    private static boolean usesLoopVariable(String word, Set<String> loopVariables) {
        if (word.contains("$ARITHMETIC")) {
            return true;
        }
        for (String v : loopVariables) {
            if (word.contains("$" + v) || word.contains("${" + v + "}")) {
                return true;
            }
        }
        return false;
    }

    private static final Pattern DEV_TCP = Pattern.compile("/dev/(?:tcp|udp)/([^/\\s]+)/\\S+");
    private static final Pattern INTERACTIVE_SHELL =
            Pattern.compile("\\b(?:ba|z|da)?sh\\s+-i\\b|[0-9]?>&\\s*[0-9]|\\bexec\\s+\\d*<>");

    private static final Pattern MINER_MENTION = Pattern.compile(
            "stratum2?\\+(?:tcp|ssl|tls)://"
                    + "|\\b(?:supportxmr|minexmr|moneroocean|nanopool|2miners|f2pool|hashvault|herominers|unmineable"
                    + "|nicehash|ethermine|miningpoolhub)\\.(?:com|org|net|io|pro)\\b"
                    + "|://\\S*\\b(?:xmrig|xmr-stak|cpuminer|cgminer|bfgminer|ethminer|t-rex|lolminer|nbminer|gminer"
                    + "|phoenixminer|nanominer|teamredminer|srbminer)\\b",
            Pattern.CASE_INSENSITIVE);

    private static final Pattern IPV4 = Pattern.compile("(?:\\d{1,3}\\.){3}\\d{1,3}");
    private static final Set<String> LOCAL_SUFFIXES =
            Set.of(".local", ".internal", ".svc", ".cluster.local", ".lan", ".localdomain", ".home.arpa", ".localhost");

    /**
     * The host a word names, or null: {@code user@host}, {@code host:port}, {@code scheme://user@host:port/path},
     * {@code [v6]:port}, {@code host:/path}.
     */
    static String hostOf(String word) {
        if (word == null || word.isEmpty() || word.startsWith("-")) {
            return null;
        }
        String w = word;
        int scheme = w.indexOf("://");
        if (scheme >= 0) {
            w = w.substring(scheme + 3);
        }
        int slash = w.indexOf('/');
        if (slash >= 0) {
            w = w.substring(0, slash);
        }
        int at = w.lastIndexOf('@');
        if (at >= 0) {
            w = w.substring(at + 1);
        }
        if (w.startsWith("[")) {
            int close = w.indexOf(']');
            return close > 0 ? w.substring(1, close) : null;
        }
        int colon = w.indexOf(':');
        if (colon >= 0) {
            w = w.substring(0, colon);
        }
        return w.isEmpty() ? null : w;
    }

    static boolean isLiteralAddress(String host) {
        return host != null
                && (IPV4.matcher(host).matches() || host.indexOf(':') >= 0 && host.matches("[0-9a-fA-F:.]+"));
    }

    /** Whether the host is outside the cluster (class doc). */
    static boolean outside(String host, NetworkScope scope) {
        if (host == null || host.isEmpty() || host.contains("$")) {
            return false;
        }
        if (isLiteralAddress(host)) {
            return scope.isExternal(host);
        }
        String name = host.toLowerCase(Locale.ROOT);
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        if (!name.contains(".") || name.equals("localhost")) {
            return false;
        }
        for (String suffix : LOCAL_SUFFIXES) {
            if (name.endsWith(suffix)) {
                return false;
            }
        }
        return name.matches("[a-z0-9.-]+");
    }

    private static String valueOf(List<String> args, String... options) {
        for (int i = 0; i + 1 < args.size(); i++) {
            for (String o : options) {
                if (args.get(i).equals(o)) {
                    return args.get(i + 1);
                }
            }
        }
        return null;
    }
}
