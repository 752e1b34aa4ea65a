package dev.rudp.fileserver.cmd;

import dev.rudp.fileserver.protocol.ProtocolException;
import dev.rudp.fileserver.protocol.Status;
import java.nio.file.FileSystems;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.PatternSyntaxException;

/**
 * The options of one {@code cmd} command: short flags ({@code -lr}), the valued options {@code -n N},
 * {@code -name GLOB} and {@code -type f|d}, and operands. Every bad value is a BAD_REQUEST
 * {@link ProtocolException} with a one-line message (the user's text shown with control characters
 * as '?'), never another exception: the words come from a client.
 */
final class Opts {
    private final StringBuilder flags = new StringBuilder();
    private final List<String> operands = new ArrayList<>();
    private final Map<String, String> values = new HashMap<>();

    Opts(List<String> args) throws ProtocolException {
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("-name") || a.equals("-type") || a.equals("-n")) {
                if (i + 1 >= args.size()) {
                    throw ProtocolException.of(Status.BAD_REQUEST, a + " needs a value");
                }
                values.put(a.substring(1), args.get(++i));
            } else if (a.startsWith("-") && a.length() > 1 && !a.equals("--")) {
                flags.append(a, 1, a.length());
            } else {
                operands.add(a);
            }
        }
    }

    boolean has(char f) {
        return flags.indexOf(String.valueOf(f)) >= 0;
    }

    /** The count given with {@code -k} (0 or more), or {@code dflt} when absent. */
    long number(char k, long dflt) throws ProtocolException {
        String v = values.get(String.valueOf(k));
        if (v == null) {
            return dflt;
        }
        try {
            long n = Long.parseLong(v);
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw ProtocolException.of(Status.BAD_REQUEST, "-" + k + " needs a count of 0 or more, not " + shown(v));
    }

    /** The matcher for the glob given with {@code -k}, or null when absent. */
    PathMatcher glob(String k) throws ProtocolException {
        String g = values.get(k);
        if (g == null) {
            return null;
        }
        try {
            return FileSystems.getDefault().getPathMatcher("glob:" + g);
        } catch (PatternSyntaxException e) {
            throw ProtocolException.of(Status.BAD_REQUEST, "-" + k + ": bad pattern " + shown(g) + " ("
                    + e.getDescription() + ")");
        }
    }

    /** The file type given with {@code -type}: "f", "d", or null when absent. */
    String fileType() throws ProtocolException {
        String t = values.get("type");
        if (t == null || t.equals("f") || t.equals("d")) {
            return t;
        }
        throw ProtocolException.of(Status.BAD_REQUEST, "-type needs f or d, not " + shown(t));
    }

    List<String> operands(int min, int max) throws ProtocolException {
        if (operands.size() < min || (max >= 0 && operands.size() > max)) {
            throw ProtocolException.of(Status.BAD_REQUEST, "wrong number of arguments");
        }
        return operands;
    }

    /** A user's word for a one-line message: at most 40 characters, control characters as '?'. */
    static String shown(String s) {
        String cut = s.length() > 40 ? s.substring(0, 40) + "..." : s;
        StringBuilder sb = new StringBuilder(cut.length() + 2).append('\'');
        cut.chars().forEach(c -> sb.append(c < 0x20 || c == 0x7f ? '?' : (char) c));
        return sb.append('\'').toString();
    }
}
