package dev.rudp.fileserver.storage;

import dev.rudp.fileserver.protocol.ProtocolException;
import dev.rudp.fileserver.protocol.Status;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The one place where a client's path becomes a {@link UserPath}, the same for every backend.
 * Client paths are relative to the working folder, or to the home when they start with {@code ~}.
 * Refused, each with a clear {@link Status#PATH_REFUSED} message: absolute paths, {@code ..} that
 * climbs out of the home, empty names ({@code a//b}), NUL and other control characters (an object
 * store's XML listings cannot carry them), names over {@value #MAX_NAME} bytes and paths over
 * {@value #MAX_PATH} bytes. Nothing is decoded: {@code %2e%2e} is a name like any other. Backends
 * add their own checks (symbolic links on a disk, key length in a bucket).
 */
public final class PathRules {
    /** Longest file name in bytes. */
    public static final int MAX_NAME = 255;
    /** Longest client path in bytes. */
    public static final int MAX_PATH = 4096;

    private PathRules() {
    }

    /**
     * Where {@code clientPath} leads from working folder {@code cwd}; {@code cwd} itself for an
     * empty path. A trailing slash is allowed ({@code cd docs/}).
     */
    public static UserPath resolve(UserPath cwd, String clientPath) throws ProtocolException {
        if (clientPath == null || clientPath.isEmpty()) {
            return cwd;
        }
        if (clientPath.getBytes(StandardCharsets.UTF_8).length > MAX_PATH) {
            throw refused(clientPath, "path longer than " + MAX_PATH + " bytes");
        }
        String rest = clientPath;
        List<String> out;
        if (rest.equals("~") || rest.startsWith("~/")) {
            out = new ArrayList<>();
            rest = rest.length() <= 2 ? "" : rest.substring(2);
        } else if (rest.startsWith("/") || rest.startsWith("\\") || rest.matches("^[A-Za-z]:.*")) {
            throw refused(clientPath, "absolute paths are not allowed (paths are relative; ~ is your home)");
        } else {
            out = new ArrayList<>(cwd.segments());
        }
        if (rest.isEmpty()) {
            return UserPath.of(out);
        }
        String[] parts = rest.split("/", -1);
        int n = parts.length;
        if (n > 1 && parts[n - 1].isEmpty()) {
            n--; // one trailing slash
        }
        for (int i = 0; i < n; i++) {
            String part = parts[i];
            if (part.isEmpty()) {
                throw refused(clientPath, "empty name (two slashes in a row)");
            }
            if (part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (out.isEmpty()) {
                    throw refused(clientPath, "outside your home folder");
                }
                out.remove(out.size() - 1);
                continue;
            }
            String why = invalidName(part);
            if (why != null) {
                throw refused(clientPath, why);
            }
            out.add(part);
        }
        return UserPath.of(out);
    }

    /** Why {@code name} cannot be one segment of a path, or null when it can. */
    static String invalidName(String name) {
        if (name.isEmpty()) {
            return "empty name";
        }
        if (name.equals(".") || name.equals("..")) {
            return "'" + name + "' is not a name";
        }
        if (name.indexOf('/') >= 0) {
            return "a name cannot contain '/'";
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == 0) {
                return "contains a NUL byte";
            }
            if (c < 0x20 || c == 0x7f) {
                return "contains a control character";
            }
            if (Character.isSurrogate(c) && !(Character.isHighSurrogate(c) && i + 1 < name.length()
                    && Character.isLowSurrogate(name.charAt(++i)))) {
                return "not valid Unicode";
            }
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > MAX_NAME) {
            return "name longer than " + MAX_NAME + " bytes";
        }
        return null;
    }

    /** A PATH_REFUSED error for {@code path} (abbreviated, NULs shown as '?'). */
    public static ProtocolException refused(String path, String why) {
        String shown = path.length() > 40 ? path.substring(0, 40) + "..." : path;
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < shown.length(); i++) {
            char c = shown.charAt(i);
            sb.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        return ProtocolException.of(Status.PATH_REFUSED, "path refused: " + sb + ": " + why);
    }
}
