package io.vigil.tools;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The house rules of docs/ARCHITECTURE.md that the compiler does not check, over every module's sources:
 * no cycles between packages, and no fully-qualified class names inline where an import would do.
 * (Formatting and unused imports are Spotless's, in {@code mvn verify}.)
 */
class HouseRulesTest {
    static final Path ROOT = repositoryRoot();

    private static final Pattern PACKAGE = Pattern.compile("(?m)^package ([\\w.]+);");
    private static final Pattern IMPORT = Pattern.compile("(?m)^import (static )?([\\w.]+)\\.(\\w+|\\*);");
    private static final Pattern DECLARED = Pattern.compile("\\b(?:class|interface|enum|record)\\s+([A-Z]\\w*)");
    /** A qualified name in code: lower-case packages, then a type. */
    private static final Pattern QUALIFIED = Pattern.compile(
            "(?<![\\w.@])((?:java|javax|org|com|io|picocli|smile)(?:\\.[a-z_][a-z0-9_]*)+)\\.([A-Z]\\w*)");

    private static final Pattern VIGIL_REFERENCE = Pattern.compile("(?<![\\w.])(io\\.vigil(?:\\.[a-z]\\w*)+)\\.[A-Z]");

    @Test
    void packagesDependOnEachOtherOneWayOnly() {
        Map<String, Set<String>> uses = new TreeMap<>();
        for (Path file : sources("src/main/java")) {
            String code = code(read(file));
            String pkg = packageOf(code);
            Set<String> used = uses.computeIfAbsent(pkg, p -> new TreeSet<>());
            Matcher imports = IMPORT.matcher(code);
            while (imports.find()) {
                String target = imports.group(1) != null || imports.group(3).equals("*")
                        ? packagePart(imports.group(2))
                        : packagePart(imports.group(2) + "." + imports.group(3));
                if (target.startsWith("io.vigil") && !target.equals(pkg)) {
                    used.add(target);
                }
            }
            Matcher inline = VIGIL_REFERENCE.matcher(code);
            while (inline.find()) {
                if (!inline.group(1).equals(pkg)) {
                    used.add(inline.group(1));
                }
            }
        }
        assertThat(cycles(uses)).as("cycles between packages").isEmpty();
    }

    @Test
    void classesAreImportedNotQualifiedInline() {
        List<String> found = new ArrayList<>();
        for (Path file : sources("src")) {
            String code = code(read(file));
            String pkg = packageOf(code);
            Map<String, String> imported = new HashMap<>();
            Matcher imports = IMPORT.matcher(code);
            while (imports.find()) {
                if (imports.group(1) == null && !imports.group(3).equals("*")) {
                    imported.put(imports.group(3), imports.group(2));
                }
            }
            Set<String> declared = new HashSet<>();
            Matcher types = DECLARED.matcher(code);
            while (types.find()) {
                declared.add(types.group(1));
            }
            String[] lines = code.split("\n", -1);
            for (int i = 0; i < lines.length; i++) {
                String line = lines[i];
                if (line.startsWith("import ") || line.startsWith("package ")) {
                    continue;
                }
                Matcher q = QUALIFIED.matcher(line);
                while (q.find()) {
                    String packageName = q.group(1);
                    String simple = q.group(2);
                    boolean clashes = declared.contains(simple)
                            || (imported.containsKey(simple)
                                    && !imported.get(simple).equals(packageName))
                            || (!packageName.equals(pkg) && Files.exists(file.resolveSibling(simple + ".java")));
                    boolean outerClassOnly = packageName.chars().anyMatch(Character::isUpperCase);
                    if (!clashes && !outerClassOnly) {
                        found.add(ROOT.relativize(file) + ":" + (i + 1) + ": " + packageName + "." + simple);
                    }
                }
            }
        }
        assertThat(found).as("qualified names where an import would do").isEmpty();
    }

    /** Every strongly connected group of more than one package, as "a -> b -> … -> a". */
    static List<String> cycles(Map<String, Set<String>> graph) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new HashSet<>();
        List<String> out = new ArrayList<>();
        int[] next = {0};
        for (String v : graph.keySet()) {
            if (!index.containsKey(v)) {
                strongConnect(v, graph, index, low, stack, onStack, next, out);
            }
        }
        return out;
    }

    private static void strongConnect(
            String v,
            Map<String, Set<String>> graph,
            Map<String, Integer> index,
            Map<String, Integer> low,
            Deque<String> stack,
            Set<String> onStack,
            int[] next,
            List<String> out) {
        index.put(v, next[0]);
        low.put(v, next[0]);
        next[0]++;
        stack.push(v);
        onStack.add(v);
        for (String w : graph.getOrDefault(v, Set.of())) {
            if (!index.containsKey(w)) {
                strongConnect(w, graph, index, low, stack, onStack, next, out);
                low.put(v, Math.min(low.get(v), low.get(w)));
            } else if (onStack.contains(w)) {
                low.put(v, Math.min(low.get(v), index.get(w)));
            }
        }
        if (low.get(v).equals(index.get(v))) {
            List<String> group = new ArrayList<>();
            String w;
            do {
                w = stack.pop();
                onStack.remove(w);
                group.add(w);
            } while (!w.equals(v));
            if (group.size() > 1) {
                out.add(String.join(" <-> ", new TreeSet<>(group)));
            }
        }
    }

    /** The source without comments and string or character literals (each kept as a blank), lines kept. */
    static String code(String source) {
        StringBuilder out = new StringBuilder(source.length());
        int n = source.length();
        for (int i = 0; i < n; i++) {
            char c = source.charAt(i);
            if (c == '/' && i + 1 < n && source.charAt(i + 1) == '/') {
                while (i < n && source.charAt(i) != '\n') {
                    i++;
                }
                if (i < n) {
                    out.append('\n');
                }
            } else if (c == '/' && i + 1 < n && source.charAt(i + 1) == '*') {
                i += 2;
                while (i < n && !(source.charAt(i) == '*' && i + 1 < n && source.charAt(i + 1) == '/')) {
                    if (source.charAt(i) == '\n') {
                        out.append('\n');
                    }
                    i++;
                }
                i++;
            } else if (source.startsWith("\"\"\"", i)) {
                int end = source.indexOf("\"\"\"", i + 3);
                end = end < 0 ? n : end;
                source.substring(i, end).chars().filter(ch -> ch == '\n').forEach(ch -> out.append('\n'));
                out.append("\"\"");
                i = end + 2;
            } else if (c == '"' || c == '\'') {
                i++;
                while (i < n && source.charAt(i) != c) {
                    if (source.charAt(i) == '\\') {
                        i++;
                    }
                    i++;
                }
                out.append(c).append(c);
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static String packageOf(String code) {
        Matcher m = PACKAGE.matcher(code);
        return m.find() ? m.group(1) : "";
    }

    private static String packagePart(String qualified) {
        String[] parts = qualified.split("\\.");
        StringBuilder pkg = new StringBuilder();
        for (String part : parts) {
            if (!part.isEmpty() && Character.isUpperCase(part.charAt(0))) {
                break;
            }
            if (pkg.length() > 0) {
                pkg.append('.');
            }
            pkg.append(part);
        }
        return pkg.toString();
    }

    /** The hand-written Java of every module (generated sources live under target/ and are skipped). */
    private static List<Path> sources(String under) {
        try (Stream<Path> files = Files.walk(ROOT)) {
            return files.filter(p -> p.toString().endsWith(".java"))
                    .filter(p -> ROOT.relativize(p)
                            .toString()
                            .contains(under.replace(
                                    '/', p.getFileSystem().getSeparator().charAt(0))))
                    .filter(p ->
                            !p.toString().contains("/target/") && !p.toString().contains("/.git/"))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The repository's root: the nearest directory above this module that has the project's .ci/ folder. */
    static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isDirectory(dir.resolve(".ci"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("no .ci/ above " + Path.of("").toAbsolutePath());
        }
        return dir;
    }
}
