package dev.rudp.fileserver.storage;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A location inside one account's home, already confined by {@link PathRules}: normalized segments
 * (no {@code .}, {@code ..} or empty names), each a valid name. The home itself has no segments.
 * Backends map it to what they store: a file below the home folder, or a key below the user's
 * prefix. Immutable; compares and sorts segment by segment.
 */
public final class UserPath implements Comparable<UserPath> {
    /** The account's home. */
    public static final UserPath ROOT = new UserPath(List.of());

    private final List<String> segments;

    private UserPath(List<String> segments) {
        this.segments = segments;
    }

    /** A path from segments that {@link PathRules} accepted (package use, and tests). */
    static UserPath of(List<String> segments) {
        return segments.isEmpty() ? ROOT : new UserPath(List.copyOf(segments));
    }

    /**
     * A path from its relative form {@code a/b/c} ("" for the home), checked by {@link PathRules};
     * for backends that read paths back from what they stored (object keys, folder walks).
     *
     * @throws IllegalArgumentException when a segment is not a valid name
     */
    public static UserPath parse(String relative) {
        if (relative.isEmpty()) {
            return ROOT;
        }
        List<String> out = new ArrayList<>();
        for (String s : relative.split("/", -1)) {
            String why = PathRules.invalidName(s);
            if (why != null) {
                throw new IllegalArgumentException("invalid stored path " + relative + ": " + why);
            }
            out.add(s);
        }
        return of(out);
    }

    /** The segments, outermost first; empty for the home. */
    public List<String> segments() {
        return segments;
    }

    /** Whether this is the home itself. */
    public boolean isRoot() {
        return segments.isEmpty();
    }

    /** The last segment, or {@code ~} for the home. */
    public String name() {
        return segments.isEmpty() ? "~" : segments.get(segments.size() - 1);
    }

    /** The enclosing folder; the home's parent is the home. */
    public UserPath parent() {
        return segments.size() <= 1 ? ROOT : new UserPath(segments.subList(0, segments.size() - 1));
    }

    /** The entry {@code name} inside this folder ({@code name} must be a valid name). */
    public UserPath child(String name) {
        String why = PathRules.invalidName(name);
        if (why != null) {
            throw new IllegalArgumentException(why);
        }
        List<String> out = new ArrayList<>(segments);
        out.add(name);
        return new UserPath(List.copyOf(out));
    }

    /** Whether {@code other} is this path or lies below it. */
    public boolean startsWith(UserPath other) {
        return other.segments.size() <= segments.size()
                && segments.subList(0, other.segments.size()).equals(other.segments);
    }

    /**
     * This path with its leading {@code from} replaced by {@code to} (a tree being moved or copied).
     *
     * @throws IllegalArgumentException when this path does not start with {@code from}
     */
    public UserPath rebase(UserPath from, UserPath to) {
        if (!startsWith(from)) {
            throw new IllegalArgumentException(this + " is not under " + from);
        }
        List<String> out = new ArrayList<>(to.segments);
        out.addAll(segments.subList(from.segments.size(), segments.size()));
        return of(out);
    }

    /** The segments joined by {@code /}; "" for the home. */
    public String relative() {
        return String.join("/", segments);
    }

    /** UTF-8 length of {@link #relative()}. */
    public int byteLength() {
        return relative().getBytes(StandardCharsets.UTF_8).length;
    }

    /** How the client sees it: {@code ~} or {@code ~/a/b}. */
    public String display() {
        return segments.isEmpty() ? "~" : "~/" + relative();
    }

    @Override
    public int compareTo(UserPath o) {
        int n = Math.min(segments.size(), o.segments.size());
        for (int i = 0; i < n; i++) {
            int c = segments.get(i).compareTo(o.segments.get(i));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(segments.size(), o.segments.size());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UserPath p && p.segments.equals(segments);
    }

    @Override
    public int hashCode() {
        return segments.hashCode();
    }

    /** Same as {@link #display()}. */
    @Override
    public String toString() {
        return display();
    }
}
