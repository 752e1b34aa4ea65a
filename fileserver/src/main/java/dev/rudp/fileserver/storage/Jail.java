package dev.rudp.fileserver.storage;

import dev.rudp.fileserver.protocol.ProtocolException;
import dev.rudp.fileserver.protocol.Status;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Confines client paths to one account's root. Client paths are relative to the working folder,
 * or to the root when they start with {@code ~}. Refused, each with a clear message: absolute
 * paths, NUL bytes, names over 255 bytes, paths over 4096 bytes, {@code ..} that climbs out of the
 * root, and symbolic links (anywhere on the path) whose target lies outside the root.
 *
 * <p>Working folders are shown as {@code ~} or {@code ~/a/b}.
 */
public final class Jail {
    /** Longest file name in bytes. */
    public static final int MAX_NAME = 255;
    /** Longest client path in bytes. */
    public static final int MAX_PATH = 4096;

    private final Path root;

    /** A jail for {@code root}, which must exist. */
    public Jail(Path root) throws IOException {
        this.root = root.toRealPath();
    }

    /** The real path of the root. */
    public Path root() {
        return root;
    }

    /**
     * The real location of {@code clientPath} seen from working folder {@code cwd} (a path inside
     * the root). The last component may not exist yet; every existing ancestor is checked.
     */
    public Path resolve(Path cwd, String clientPath) throws ProtocolException {
        if (clientPath == null || clientPath.isEmpty()) {
            return cwd;
        }
        if (clientPath.indexOf('\0') >= 0) {
            throw refused(clientPath, "contains a NUL byte");
        }
        if (clientPath.getBytes(StandardCharsets.UTF_8).length > MAX_PATH) {
            throw refused(abbreviate(clientPath), "path longer than " + MAX_PATH + " bytes");
        }
        Path base = cwd;
        String rest = clientPath;
        if (rest.equals("~") || rest.startsWith("~/")) {
            base = root;
            rest = rest.length() <= 2 ? "" : rest.substring(2);
        } else if (rest.startsWith("/") || rest.startsWith("\\") || rest.matches("^[A-Za-z]:.*")) {
            throw refused(clientPath, "absolute paths are not allowed (paths are relative; ~ is your home)");
        }
        for (String part : rest.split("/")) {
            if (part.getBytes(StandardCharsets.UTF_8).length > MAX_NAME) {
                throw refused(abbreviate(clientPath), "name longer than " + MAX_NAME + " bytes");
            }
        }
        Path p;
        try {
            p = base.resolve(rest).normalize();
        } catch (java.nio.file.InvalidPathException e) {
            throw refused(clientPath, "invalid path");
        }
        if (!p.startsWith(root)) {
            throw refused(clientPath, "outside your home folder");
        }
        checkLinks(p, clientPath);
        return p;
    }

    /** Refuses {@code p} when it or an existing ancestor is a link leading outside the root. */
    public void checkLinks(Path p, String shown) throws ProtocolException {
        Path existing = p;
        while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            throw refused(shown, "outside your home folder");
        }
        if (Files.isSymbolicLink(existing) && !Files.exists(existing)) {
            throw refused(shown, "a dangling symbolic link");
        }
        Path real;
        try {
            real = Files.exists(existing) ? existing.toRealPath() : existing.getParent().toRealPath();
        } catch (IOException e) {
            throw refused(shown, "cannot be resolved");
        }
        if (!real.startsWith(root)) {
            throw refused(shown, "a symbolic link leads outside your home folder");
        }
    }

    /** The client's view of an absolute location inside the root: {@code ~} or {@code ~/a/b}. */
    public String display(Path p) {
        Path rel = root.relativize(p);
        String s = rel.toString().replace('\\', '/');
        return s.isEmpty() ? "~" : "~/" + s;
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }

    private static ProtocolException refused(String path, String why) {
        return ProtocolException.of(Status.PATH_REFUSED, "path refused: " + path.replace('\0', '?') + ": " + why);
    }
}
