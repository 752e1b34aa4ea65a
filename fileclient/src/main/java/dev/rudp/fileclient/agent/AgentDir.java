package dev.rudp.fileclient.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;

/**
 * The agents' folder: {@code ~/.fileclient/agent}, or {@code $FILECLIENT_AGENT_DIR}, or the system
 * property {@code fileclient.agent.dir} (tests). It must be a real folder owned by this user with
 * no group or other permissions (created so when missing); anything else is refused, as ssh refuses
 * a control socket in a folder others can write. Holds one {@code KEY.sock} and {@code KEY.log} per
 * agent, KEY being a hash of what the session depends on.
 */
public final class AgentDir {
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");
    /** The longest path a UNIX domain socket takes on Linux (sun_path less its terminating NUL). */
    static final int MAX_SOCKET_PATH = 107;

    private final Path dir;

    private AgentDir(Path dir) {
        this.dir = dir;
    }

    /** Where the agents' folder is for this user ({@code env} is the process environment). */
    public static Path location(Map<String, String> env) {
        String p = System.getProperty("fileclient.agent.dir");
        if (p == null || p.isEmpty()) {
            p = env.get("FILECLIENT_AGENT_DIR");
        }
        if (p != null && !p.isEmpty()) {
            return Path.of(p).toAbsolutePath();
        }
        return Path.of(System.getProperty("user.home"), ".fileclient", "agent");
    }

    /**
     * Opens {@code dir}, creating it (and its parent) owner-only when missing; throws with a one-line
     * reason when it exists but is not a folder owned by this user with mode 0700.
     */
    public static AgentDir open(Path dir) throws IOException {
        // a UNIX socket's path holds at most 107 bytes; a longer one would only fail at bind time
        int longest = dir.resolve(fileName("") + ".sock").toString().getBytes(StandardCharsets.UTF_8).length;
        if (longest > MAX_SOCKET_PATH) {
            throw new IOException(dir + " is too long a path for a UNIX socket (" + longest + " bytes with the socket's name,"
                    + " at most " + MAX_SOCKET_PATH + "); set FILECLIENT_AGENT_DIR to a shorter folder");
        }
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            Path parent = dir.getParent();
            if (parent != null && !Files.exists(parent)) {
                Files.createDirectories(parent, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            }
            try {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
                // the umask may have narrowed it further; never wider
                Files.setPosixFilePermissions(dir, OWNER_ONLY);
            } catch (FileAlreadyExistsException e) {
                // made by another launcher just now: checked below like any existing folder
            }
        }
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(dir + " is not a folder (a symbolic link or a file); remove it");
        }
        String owner = Files.getOwner(dir, LinkOption.NOFOLLOW_LINKS).getName();
        if (!owner.equals(System.getProperty("user.name"))) {
            throw new IOException(dir + " belongs to " + owner + ", not to you; refusing to use it");
        }
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS);
        if (!OWNER_ONLY.containsAll(perms)) {
            throw new IOException(dir + " has permissions " + PosixFilePermissions.toString(perms)
                    + "; it must be owner-only (chmod 700 " + dir + ")");
        }
        return new AgentDir(dir);
    }

    /** The folder. */
    public Path path() {
        return dir;
    }

    /**
     * The file name for an agent key: a 64-bit FNV-1a hash of it in hex (no user or host name in
     * the folder listing). Not a security boundary: the folder is owner-only, and an agent answers
     * only requests carrying its full key, so even a hash collision cannot reach the wrong session.
     * FNV rather than SHA-256 because loading the JDK's security providers costs the launcher ~40 ms.
     */
    public static String fileName(String key) {
        long h = 0xcbf29ce484222325L;
        for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        String hex = Long.toHexString(h);
        return "0".repeat(16 - hex.length()) + hex;
    }

    /** The agent key: the parts joined by newlines (it travels in the agent's argv, where NUL cannot). */
    public static String key(String... parts) {
        return String.join("\n", parts);
    }

    /** The socket of the agent with {@code key}. */
    public Path socket(String key) {
        return dir.resolve(fileName(key) + ".sock");
    }

    /** The log file of the agent with {@code key}. */
    public Path log(String key) {
        return dir.resolve(fileName(key) + ".log");
    }

    /**
     * Readies an agent's log for a new agent: owner-only ({@link #ownerOnlyFile}), emptied once over 1 MiB.
     */
    static void readyLog(Path log) throws IOException {
        ownerOnlyFile(log);
        if (Files.size(log) > (1 << 20)) {
            Files.write(log, new byte[0]);
        }
    }

    /** Creates (or keeps) {@code file} with mode 0600 before anything is written to it. */
    static void ownerOnlyFile(Path file) throws IOException {
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (FileAlreadyExistsException e) {
                // another agent start made it: fixed below
            }
        }
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }
}
