package io.vigil.tools.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric names that deploy/observability/ (the Grafana dashboard and the alert rules) use, read from the
 * PromQL expressions; and the names a Prometheus scrape holds.
 */
final class Observability {
    static final Path DIR = LocalCluster.repositoryRoot().resolve("deploy/observability");
    static final Path RULES = DIR.resolve("vigil-rules.yaml");
    static final Path PROMETHEUS_RULE = DIR.resolve("prometheusrule.yaml");
    static final Path DASHBOARD = DIR.resolve("vigil-dashboard.json");

    /** PromQL words that are not metric names: keywords, and functions' and aggregations' names (before "("). */
    private static final Set<String> KEYWORDS = Set.of(
            "and",
            "or",
            "unless",
            "by",
            "without",
            "on",
            "ignoring",
            "group_left",
            "group_right",
            "bool",
            "offset",
            "inf",
            "nan");

    private static final Pattern NAME_REGEX = Pattern.compile("__name__=~\"([^\"]+)\"");

    private Observability() {}

    /** Every PromQL expression of the rules and the dashboard. */
    static List<String> expressions() {
        List<String> exprs = new ArrayList<>();
        try {
            new YAMLMapper()
                    .readTree(RULES.toFile())
                    .path("groups")
                    .forEach(g -> g.path("rules")
                            .forEach(r -> exprs.add(r.path("expr").asText())));
            JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
            dashboard
                    .path("panels")
                    .forEach(p -> p.path("targets")
                            .forEach(t -> exprs.add(t.path("expr").asText())));
            dashboard.path("templating").path("list").forEach(v -> {
                if (v.has("definition")) { // label_values(METRIC, LABEL): the metric
                    exprs.add(v.path("definition").asText().replaceAll("label_values\\((\\w+),[^)]*\\)", "$1"));
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return exprs;
    }

    /** The metric names the expressions select by name ({@code name{...}}, {@code name[5m]}, {@code name}). */
    static Set<String> names(String expr) {
        String s = expr.replaceAll("\"[^\"]*\"", "\"\"") // label values, format strings
                .replaceAll("\\{[^}]*}", " ") // label matchers
                .replaceAll("\\[[^\\]]*]", " ") // ranges
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ")
                .replaceAll("\\$\\w+", " ") // dashboard variables
                .replaceAll("\\boffset\\s+\\w+", " ");
        Set<String> names = new TreeSet<>();
        Matcher m = Pattern.compile("(?<![\\w.])([a-zA-Z_:][a-zA-Z0-9_:]*)(\\s*\\()?")
                .matcher(s);
        while (m.find()) {
            String word = m.group(1);
            if (m.group(2) == null && !KEYWORDS.contains(word.toLowerCase()) && !word.matches("\\d.*")) {
                names.add(word);
            }
        }
        return names;
    }

    /** The {@code __name__=~"..."} selectors of the expression: metric families named by pattern. */
    static Set<String> namePatterns(String expr) {
        Set<String> patterns = new TreeSet<>();
        Matcher m = NAME_REGEX.matcher(expr);
        while (m.find()) {
            patterns.add(m.group(1));
        }
        return patterns;
    }

    static Set<String> allNames() {
        Set<String> all = new TreeSet<>();
        expressions().forEach(e -> all.addAll(names(e)));
        return all;
    }

    static Set<String> allNamePatterns() {
        Set<String> all = new TreeSet<>();
        expressions().forEach(e -> all.addAll(namePatterns(e)));
        return all;
    }

    /** The metric names of a scrape in Prometheus's text format (a histogram's _bucket, _sum, _count too). */
    static Set<String> scrapedNames(String scrape) {
        Set<String> names = new TreeSet<>();
        for (String line : scrape.split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                Matcher m = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)").matcher(line);
                if (m.find()) {
                    names.add(m.group(1));
                }
            }
        }
        return names;
    }
}
