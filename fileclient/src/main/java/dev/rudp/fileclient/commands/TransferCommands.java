package dev.rudp.fileclient.commands;

import static dev.rudp.fileclient.commands.Command.ArgKind.LOCAL;
import static dev.rudp.fileclient.commands.Command.ArgKind.REMOTE;

import dev.rudp.fileclient.connection.ClientException;
import dev.rudp.fileclient.connection.ExitCode;
import dev.rudp.fileclient.connection.TransferListener;
import dev.rudp.fileclient.connection.Transfers;
import dev.rudp.fileclient.progress.ProgressDisplay;
import dev.rudp.fileserver.protocol.FileEntry;
import dev.rudp.fileserver.protocol.Op;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * get/download, put/upload, reget, reput: single files, glob patterns ({@code put *.log}) and
 * folders with {@code -r}; {@code -a} (and reget/reput) resume an interrupted transfer.
 */
final class TransferCommands {
    private TransferCommands() {
    }

    static List<Command> all() {
        return List.of(
                new Command("get", List.of("download"), "get [-a] [-r] REMOTE [LOCAL]",
                        "Download a file (or files matching a pattern; -r: folders). -a resumes an interrupted"
                                + " download. The whole file is checked (by its CRC32C or SHA-256) before it appears locally.",
                        List.of(REMOTE, LOCAL), (ctx, a) -> get(ctx, a, false, "get")),
                new Command("reget", List.of(), "reget REMOTE [LOCAL]", "Resume an interrupted download (get -a).",
                        List.of(REMOTE, LOCAL), (ctx, a) -> get(ctx, a, true, "reget")),
                new Command("put", List.of("upload"), "put [-a] [-r] LOCAL [REMOTE]",
                        "Upload a file (or files matching a pattern such as *.log; -r: folders). -a resumes an"
                                + " interrupted upload. The server checks the whole file before replacing anything.",
                        List.of(LOCAL, REMOTE), (ctx, a) -> put(ctx, a, false, "put")),
                new Command("reput", List.of(), "reput LOCAL [REMOTE]", "Resume an interrupted upload (put -a).",
                        List.of(LOCAL, REMOTE), (ctx, a) -> put(ctx, a, true, "reput")));
    }

    static boolean isGlob(String s) {
        return s.indexOf('*') >= 0 || s.indexOf('?') >= 0 || s.indexOf('[') >= 0;
    }

    static String join(String dir, String name) {
        if (dir.isEmpty() || dir.equals(".")) {
            return name;
        }
        return dir.endsWith("/") ? dir + name : dir + "/" + name;
    }

    /** {@code docs/} as {@code docs} (completion adds the slash to folders). */
    static String stripSlashes(String remote) {
        String r = remote;
        while (r.length() > 1 && r.endsWith("/")) {
            r = r.substring(0, r.length() - 1);
        }
        return r;
    }

    static String parentOf(String remote) {
        int i = remote.lastIndexOf('/');
        return i < 0 ? "" : i == 0 ? "/" : remote.substring(0, i);
    }

    static String nameOf(String remote) {
        int i = remote.lastIndexOf('/');
        return i < 0 ? remote : remote.substring(i + 1);
    }

    private static void put(ClientContext ctx, List<String> args, boolean resume, String cmd) throws ClientException {
        Opts o = Opts.parse(cmd, args, "ar", 1, 2);
        boolean append = resume || o.has('a') || ctx.resumeTransfers;
        String pattern = o.operand(0, "");
        List<Path> sources = new ArrayList<>();
        if (isGlob(pattern)) {
            Path dir = ctx.local(pattern).getParent();
            PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + ctx.local(pattern).getFileName());
            try (Stream<Path> s = Files.list(dir)) {
                s.filter(p -> m.matches(p.getFileName())).sorted().forEach(sources::add);
            } catch (IOException e) {
                throw new ClientException(ExitCode.NOT_FOUND, "no such local folder: " + dir);
            }
            if (sources.isEmpty()) {
                throw new ClientException(ExitCode.NOT_FOUND, "no local file matches " + pattern);
            }
        } else {
            Path p = ctx.local(pattern);
            if (!Files.exists(p)) {
                throw new ClientException(ExitCode.NOT_FOUND, "no such local file: " + pattern);
            }
            sources.add(p);
        }
        String target = o.operand(1, null);
        boolean targetIsDir = target != null && remoteIsDir(ctx, target);
        if (target != null && sources.size() > 1 && !targetIsDir) {
            throw new ClientException(ExitCode.USAGE, "the target must be a remote folder when several files match: "
                    + target);
        }
        for (Path src : sources) {
            String name = src.getFileName().toString();
            String remote = target == null ? name : targetIsDir ? join(target, name) : target;
            if (Files.isDirectory(src)) {
                if (!o.has('r')) {
                    if (isGlob(pattern)) {
                        ctx.err.println(cmd + ": skipping folder " + name + " (use -r)");
                        continue;
                    }
                    throw new ClientException(ExitCode.USAGE, "is a folder (use " + cmd + " -r): " + pattern);
                }
                putTree(ctx, src, remote, append);
            } else {
                putFile(ctx, src, remote, append);
            }
        }
    }

    private static void putTree(ClientContext ctx, Path dir, String remote, boolean append) throws ClientException {
        ctx.conn.call(Op.MKDIR, List.of(remote), 1);
        List<Path> children;
        try (Stream<Path> s = Files.list(dir)) {
            children = s.sorted().toList();
        } catch (IOException e) {
            throw new ClientException(ExitCode.LOCAL_IO, "cannot list local folder " + dir + ": " + e.getMessage());
        }
        for (Path c : children) {
            String r = join(remote, c.getFileName().toString());
            if (Files.isSymbolicLink(c)) {
                ctx.err.println("put: skipping symbolic link " + c);
            } else if (Files.isDirectory(c)) {
                putTree(ctx, c, r, append);
            } else {
                putFile(ctx, c, r, append);
            }
        }
    }

    private static void putFile(ClientContext ctx, Path src, String remote, boolean append) throws ClientException {
        TransferListener l = Failover.announcing(ctx, "put", ctx.progress.get());
        long t0 = System.nanoTime();
        boolean ok = false;
        try {
            Transfers.Result r = ctx.transfers.upload(src, remote, append, l, ctx.cancel);
            ok = true;
            l.finished(true);
            summary(ctx, "uploaded", src.getFileName().toString(), remote, r, t0);
        } finally {
            if (!ok) {
                l.finished(false);
            }
        }
    }

    private static void get(ClientContext ctx, List<String> args, boolean resume, String cmd) throws ClientException {
        Opts o = Opts.parse(cmd, args, "ar", 1, 2);
        boolean append = resume || o.has('a') || ctx.resumeTransfers;
        String pattern = stripSlashes(o.operand(0, ""));
        String leaf = nameOf(pattern);
        if ((leaf.isEmpty() || leaf.equals(".") || leaf.equals("..") || leaf.equals("~")) && o.operands.size() < 2) {
            throw new ClientException(ExitCode.USAGE, "name the local target: " + cmd + " -r " + pattern + " LOCAL");
        }
        List<FileEntry> sources = new ArrayList<>();
        String base;
        if (isGlob(nameOf(pattern))) {
            base = parentOf(pattern);
            PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + nameOf(pattern));
            for (FileEntry e : ctx.conn.call(Op.LS, List.of(base)).entries()) {
                if (m.matches(Path.of(e.name()))) {
                    sources.add(e);
                }
            }
            if (sources.isEmpty()) {
                throw new ClientException(ExitCode.NOT_FOUND, "no remote file matches " + pattern);
            }
        } else {
            base = parentOf(pattern);
            FileEntry e = ctx.conn.call(Op.STAT, List.of(pattern)).entries().get(0);
            sources.add(new FileEntry(nameOf(pattern), e.type(), e.size(), e.mtimeMillis(), e.mode()));
        }
        String target = o.operand(1, null);
        Path targetPath = target == null ? ctx.localCwd : ctx.local(target);
        boolean intoDir = target == null || Files.isDirectory(targetPath);
        if (sources.size() > 1 && !intoDir) {
            throw new ClientException(ExitCode.USAGE, "the target must be a local folder when several files match: "
                    + target);
        }
        for (FileEntry e : sources) {
            String remote = isGlob(nameOf(pattern)) ? join(base, e.name()) : pattern;
            Path local = intoDir ? targetPath.resolve(e.name()) : targetPath;
            if (e.isDirectory()) {
                if (!o.has('r')) {
                    if (sources.size() > 1) {
                        ctx.err.println(cmd + ": skipping folder " + e.name() + " (use -r)");
                        continue;
                    }
                    throw new ClientException(ExitCode.USAGE, "is a folder (use " + cmd + " -r): " + pattern);
                }
                getTree(ctx, remote, local, append);
            } else {
                getFile(ctx, remote, local, append);
            }
        }
    }

    private static void getTree(ClientContext ctx, String remote, Path dir, boolean append) throws ClientException {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new ClientException(ExitCode.LOCAL_IO, "cannot create local folder " + dir + ": " + e.getMessage());
        }
        for (FileEntry e : ctx.conn.call(Op.LS, List.of(remote)).entries()) {
            String r = join(remote, e.name());
            if (e.isDirectory()) {
                getTree(ctx, r, dir.resolve(e.name()), append);
            } else if (e.type() == 'f') {
                getFile(ctx, r, dir.resolve(e.name()), append);
            }
        }
    }

    private static void getFile(ClientContext ctx, String remote, Path local, boolean append) throws ClientException {
        TransferListener l = Failover.announcing(ctx, "get", ctx.progress.get());
        long t0 = System.nanoTime();
        boolean ok = false;
        try {
            Transfers.Result r = ctx.transfers.download(remote, local, append, l, ctx.cancel);
            ok = true;
            l.finished(true);
            summary(ctx, "downloaded", remote, local.toString(), r, t0);
        } finally {
            if (!ok) {
                l.finished(false);
            }
        }
    }

    private static boolean remoteIsDir(ClientContext ctx, String remote) throws ClientException {
        try {
            return ctx.conn.call(Op.STAT, List.of(remote)).entries().get(0).isDirectory();
        } catch (ClientException e) {
            if (e.code() == ExitCode.NOT_FOUND) {
                return false;
            }
            throw e;
        }
    }

    private static void summary(ClientContext ctx, String verb, String from, String to, Transfers.Result r, long t0) {
        double secs = Math.max(1e-3, (System.nanoTime() - t0) / 1e9);
        ctx.out.printf("%s %s -> %s: %s in %.1f s (%s/s), %s%n", verb, from, to,
                ProgressDisplay.human(r.size()), secs, ProgressDisplay.human((long) (r.transferred() / secs)),
                r.digestShown());
        ctx.out.flush();
    }
}
