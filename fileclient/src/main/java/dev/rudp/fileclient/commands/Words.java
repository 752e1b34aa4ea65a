package dev.rudp.fileclient.commands;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits command lines into words (quotes and backslashes), a {@code -c} string into commands and a
 * {@code -b} batch into lines.
 */
public final class Words {
    private Words() {
    }

    /** Words of one command; null when a quote is left open. */
    public static List<String> split(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    cur.append(c);
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
                inWord = true;
            } else if (c == '\\' && i + 1 < line.length()) {
                cur.append(line.charAt(++i));
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(cur.toString());
                    cur.setLength(0);
                    inWord = false;
                }
            } else {
                cur.append(c);
                inWord = true;
            }
        }
        if (quote != 0) {
            return null;
        }
        if (inWord) {
            words.add(cur.toString());
        }
        return words;
    }

    /**
     * Splits {@code "cmd1; cmd2"} at semicolons outside quotes. Each command loses the blanks around it
     * (white space as {@link #split} sees it), except one escaped with a backslash; blank commands are
     * dropped.
     */
    public static List<String> commands(String script) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        int keep = 0; // cur up to here ends with an escaped character, which is never stripped
        char quote = 0;
        for (int i = 0; i < script.length(); i++) {
            char c = script.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                }
            } else if (c == '\\' && i + 1 < script.length()) {
                cur.append(c).append(script.charAt(++i));
                keep = cur.length();
                continue;
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (c == ';') {
                add(out, cur, keep);
                cur.setLength(0);
                keep = 0;
                continue;
            }
            cur.append(c);
        }
        add(out, cur, keep);
        return out;
    }

    /**
     * A {@code -b} batch's lines as {@link String#lines} has them (each ended by \n, \r, \r\n or the
     * text's end), in a loop: a stream would add a megabyte of the JDK's stream classes to the
     * launcher's class archive, which every command through an agent maps.
     */
    public static List<String> lines(String text) {
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n' || c == '\r') {
                out.add(text.substring(start, i));
                if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                    i++;
                }
                start = i + 1;
            }
        }
        if (start < text.length()) {
            out.add(text.substring(start));
        }
        return out;
    }

    private static void add(List<String> out, StringBuilder cur, int keep) {
        int end = cur.length();
        while (end > keep && Character.isWhitespace(cur.charAt(end - 1))) {
            end--;
        }
        int start = 0;
        while (start < end && Character.isWhitespace(cur.charAt(start))) {
            start++;
        }
        if (start < end) {
            out.add(cur.substring(start, end));
        }
    }
}
