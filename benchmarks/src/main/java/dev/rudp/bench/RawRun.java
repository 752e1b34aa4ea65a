package dev.rudp.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a runner's raw run goes: {@code results/KIND-STAMP.md} (its header and tables as printed) and
 * each Markdown table of it as {@code results/KIND-STAMP.csv} (the second as {@code -2.csv}, ...), so
 * that runs can be read by programs and RESULTS.md stays a short page the lead edits by hand.
 */
public final class RawRun {
    private RawRun() {
    }

    /**
     * Writes the run under {@code out/results}; returns the Markdown file.
     *
     * @param kind the runner ({@code e2e}, {@code netns}, {@code idle})
     * @param stamp UTC {@code yyyyMMdd-HHmmss} of the run
     */
    public static Path write(Path out, String kind, String stamp, String markdown) throws IOException {
        Path dir = Files.createDirectories(out.resolve("results"));
        Path md = dir.resolve(kind + "-" + stamp + ".md");
        Files.writeString(md, markdown.stripLeading(), StandardCharsets.UTF_8);
        List<String> tables = csvTables(markdown);
        for (int i = 0; i < tables.size(); i++) {
            Files.writeString(dir.resolve(kind + "-" + stamp + (i == 0 ? "" : "-" + (i + 1)) + ".csv"), tables.get(i),
                    StandardCharsets.UTF_8);
        }
        return md;
    }

    /** Each Markdown table of {@code markdown} as CSV (the separator row dropped, cells quoted when needed). */
    public static List<String> csvTables(String markdown) {
        List<String> out = new ArrayList<>();
        StringBuilder table = null;
        for (String line : markdown.split("\n", -1)) {
            String t = line.trim();
            if (t.startsWith("|") && t.endsWith("|") && t.length() > 1) {
                if (table == null) {
                    table = new StringBuilder();
                }
                if (t.matches("\\|[\\s:|-]+\\|")) {
                    continue; // |---|---:|
                }
                String[] cells = t.substring(1, t.length() - 1).split("\\|", -1);
                List<String> quoted = new ArrayList<>();
                for (String c : cells) {
                    quoted.add(csvCell(c.trim()));
                }
                table.append(String.join(",", quoted)).append('\n');
            } else if (table != null) {
                out.add(table.toString());
                table = null;
            }
        }
        if (table != null) {
            out.add(table.toString());
        }
        return out;
    }

    static String csvCell(String s) {
        return s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }
}
