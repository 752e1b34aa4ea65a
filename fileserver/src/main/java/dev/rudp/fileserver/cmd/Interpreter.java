package dev.rudp.fileserver.cmd;

import dev.rudp.fileserver.protocol.FileEntry;
import dev.rudp.fileserver.protocol.ProtocolException;
import dev.rudp.fileserver.protocol.Status;
import dev.rudp.fileserver.storage.PathRules;
import dev.rudp.fileserver.storage.Store;
import dev.rudp.fileserver.storage.UserPath;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs one file command inside an account's tree and returns its output lines. Commands: ls, mkdir,
 * mv, cp, rm, cat, head, du, find, stat, sha256sum, df, pwd, help. Every path goes through
 * {@link PathRules} and every operation through the account's {@link Store}, whatever backend holds
 * it; there is no way to start a process. Output is capped at {@link #MAX_OUTPUT} bytes. Blocking:
 * run off the event loop.
 */
public final class Interpreter {
    /** Most bytes of output returned (UTF-8 plus 4 bytes of framing per line): one reply stays under 1 MiB. */
    public static final int MAX_OUTPUT = 900_000;
    /** Commands understood, for help and completion. */
    public static final List<String> COMMANDS = List.of("ls", "mkdir", "mv", "cp", "rm", "cat", "head", "du",
            "find", "stat", "sha256sum", "df", "pwd", "help");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")
            .withZone(ZoneOffset.UTC);

    private final Store storage;
    private final UserPath cwd;
    private final List<String> out = new ArrayList<>();
    private int chars;
    private boolean truncated;

    /** An interpreter over {@code storage} with working folder {@code cwd}. */
    public Interpreter(Store storage, UserPath cwd) {
        this.storage = storage;
        this.cwd = cwd;
    }

    /** Runs {@code line}; errors are thrown with the command name in the message. */
    public List<String> run(String line) throws ProtocolException {
        List<String> words = CommandLine.split(line);
        if (words.isEmpty()) {
            throw ProtocolException.of(Status.BAD_REQUEST, "empty command (try: cmd help)");
        }
        String name = words.get(0);
        List<String> args = words.subList(1, words.size());
        try {
            dispatch(name, args);
        } catch (ProtocolException e) {
            throw ProtocolException.of(e.status(), name + ": " + e.getMessage());
        }
        if (truncated) {
            out.add("[output truncated at " + MAX_OUTPUT + " bytes]");
        }
        return out;
    }

    private void dispatch(String name, List<String> args) throws ProtocolException {
        Opts o = new Opts(args);
        switch (name) {
            case "ls" -> ls(o);
            case "mkdir" -> {
                for (String p : o.operands(1, -1)) {
                    storage.mkdir(path(p), p, o.has('p'));
                }
            }
            case "mv" -> {
                List<String> ops = o.operands(2, 2);
                storage.move(path(ops.get(0)), ops.get(0), path(ops.get(1)), ops.get(1));
            }
            case "cp" -> {
                List<String> ops = o.operands(2, 2);
                storage.copy(path(ops.get(0)), ops.get(0), path(ops.get(1)), ops.get(1), o.has('r') || o.has('R'));
            }
            case "rm" -> {
                for (String p : o.operands(1, -1)) {
                    try {
                        storage.delete(path(p), p, o.has('r') || o.has('R'));
                    } catch (ProtocolException e) {
                        if (!(o.has('f') && e.status() == Status.NOT_FOUND)) {
                            throw e;
                        }
                    }
                }
            }
            case "cat" -> {
                for (String p : o.operands(1, -1)) {
                    text(p, Long.MAX_VALUE);
                }
            }
            case "head" -> {
                long n = o.number('n', 10);
                for (String p : o.operands(1, -1)) {
                    text(p, n);
                }
            }
            case "du" -> du(o);
            case "find" -> find(o);
            case "stat" -> {
                for (String p : o.operands(1, -1)) {
                    FileEntry e = storage.stat(path(p), p);
                    emit("  File: " + p);
                    emit("  Type: " + typeName(e.type()) + "  Size: " + e.size() + "  Mode: " + mode(e));
                    emit("Modify: " + TIME.format(Instant.ofEpochMilli(e.mtimeMillis())) + " UTC");
                }
            }
            case "sha256sum" -> {
                for (String p : o.operands(1, -1)) {
                    emit(storage.sha256(path(p), p) + "  " + p);
                }
            }
            case "df" -> {
                long used = storage.usage();
                emit("used " + used + " bytes; quota " + (storage.quota() < 0 ? "none" : storage.quota() + " bytes")
                        + "; free on disk " + storage.freeSpace() + " bytes");
            }
            case "pwd" -> emit(cwd.display());
            case "help" -> emit("commands: " + String.join(" ", COMMANDS)
                    + " (options: ls -l, mkdir -p, cp -r, rm -r -f, head -n N, du -s, find -name GLOB -type f|d)");
            default -> throw ProtocolException.of(Status.BAD_REQUEST,
                    "unknown command (known: " + String.join(" ", COMMANDS) + ")");
        }
    }

    private void ls(Opts o) throws ProtocolException {
        List<String> ops = o.operands(0, -1);
        if (ops.isEmpty()) {
            ops = List.of("");
        }
        for (String p : ops) {
            if (ops.size() > 1) {
                emit(p + ":");
            }
            for (FileEntry e : storage.list(path(p), p.isEmpty() ? "." : p)) {
                emit(o.has('l') ? longFormat(e) : e.name() + (e.isDirectory() ? "/" : ""));
            }
        }
    }

    /** An ls -l line for an entry. */
    public static String longFormat(FileEntry e) {
        return String.format("%s %14d %s %s%s", mode(e), e.size(), TIME.format(Instant.ofEpochMilli(e.mtimeMillis())),
                e.name(), e.isDirectory() ? "/" : "");
    }

    /** The ls-style mode string of an entry, like {@code drwxr-xr-x}. */
    public static String mode(FileEntry e) {
        StringBuilder sb = new StringBuilder();
        sb.append(e.type() == 'f' ? '-' : e.type());
        String rwx = "rwxrwxrwx";
        for (int i = 0; i < 9; i++) {
            sb.append((e.mode() & (1 << (8 - i))) != 0 ? rwx.charAt(i) : '-');
        }
        return sb.toString();
    }

    private static String typeName(char t) {
        return switch (t) {
            case 'd' -> "folder";
            case 'f' -> "file";
            case 'l' -> "symbolic link";
            default -> "other";
        };
    }

    private void du(Opts o) throws ProtocolException {
        List<String> ops = o.operands(0, -1);
        if (ops.isEmpty()) {
            ops = List.of(".");
        }
        for (String p : ops) {
            UserPath base = path(p);
            if (o.has('s') || !storage.isDirectory(base)) {
                emit(storage.sizeOf(base, p) + "\t" + p);
                continue;
            }
            for (Store.Walked w : storage.walk(base, p, 10_000)) {
                if (w.entry().isDirectory()) {
                    String rel = relative(base, w.path());
                    emit(storage.sizeOf(w.path(), p) + "\t" + (rel.isEmpty() ? p : p + "/" + rel));
                }
            }
        }
    }

    private void find(Opts o) throws ProtocolException {
        List<String> ops = o.operands(0, 1);
        String p = ops.isEmpty() ? "." : ops.get(0);
        UserPath base = path(p);
        String type = o.fileType();
        PathMatcher m = o.glob("name");
        for (Store.Walked w : storage.walk(base, p, 100_000)) {
            if (m != null && (w.path().isRoot() || !matches(m, w.path().name()))) {
                continue;
            }
            if (type != null && !(type.equals("d") == w.entry().isDirectory())) {
                continue;
            }
            String rel = relative(base, w.path());
            emit(rel.isEmpty() ? p : (p.equals(".") ? "./" : p + "/") + rel);
        }
    }

    /** Whether a name matches the glob (a name the platform cannot hold as a path matches nothing). */
    private static boolean matches(PathMatcher m, String name) {
        try {
            return m.matches(Path.of(name));
        } catch (InvalidPathException e) {
            return false;
        }
    }

    /** {@code p} relative to {@code base} (which it lies under), "" for {@code base} itself. */
    private static String relative(UserPath base, UserPath p) {
        return String.join("/", p.segments().subList(base.segments().size(), p.segments().size()));
    }

    private void text(String p, long maxLines) throws ProtocolException {
        try (InputStream in = storage.openStream(path(p), p);
                BufferedReader r = new BufferedReader(new java.io.InputStreamReader(in, StandardCharsets.UTF_8))) {
            long n = 0;
            for (String l = r.readLine(); l != null && n < maxLines && !truncated; l = r.readLine()) {
                emit(l);
                n++;
            }
        } catch (IOException e) {
            throw Store.map(e, p);
        }
    }

    private UserPath path(String p) throws ProtocolException {
        return PathRules.resolve(cwd, p);
    }

    private void emit(String line) {
        if (truncated) {
            return;
        }
        int bytes = line.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 4;
        if (chars + bytes > MAX_OUTPUT) {
            truncated = true;
            return;
        }
        chars += bytes;
        out.add(line);
    }
}
