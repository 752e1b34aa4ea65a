package dev.rudp.fileclient.commands;

import static dev.rudp.fileclient.commands.Command.ArgKind.NONE;
import static dev.rudp.fileclient.commands.Command.ArgKind.REMOTE;

import dev.rudp.fileclient.connection.ClientException;
import dev.rudp.fileclient.progress.ProgressDisplay;
import dev.rudp.fileserver.cmd.Interpreter;
import dev.rudp.fileserver.protocol.FileEntry;
import dev.rudp.fileserver.protocol.Op;
import dev.rudp.fileserver.protocol.Reply;
import java.util.List;

/** Commands run on the server: ls, stat, cd, pwd, mkdir, rename/mv, rm, cp, checksum, df, cmd, shutdown. */
final class RemoteCommands {
    /** The slowest disk a {@code checksum} is given time for: 50 MB/s. */
    private static final long SLOW_DISK_BYTES_PER_MILLI = 50_000;

    private RemoteCommands() {
    }

    static List<Command> all() {
        return List.of(
                new Command("ls", List.of("list", "dir"), "ls [-l] [PATH]",
                        "List a remote folder (-l: type, permissions, size, date).", List.of(REMOTE),
                        RemoteCommands::ls),
                new Command("stat", List.of(), "stat PATH", "Show a remote file's type, size, mode and date.",
                        List.of(REMOTE), (ctx, a) -> {
                            Opts o = Opts.parse("stat", a, "", 1, 1);
                            FileEntry e = ctx.conn.call(Op.STAT, List.of(o.operand(0, ""))).entries().get(0);
                            ctx.out.println(Interpreter.longFormat(e));
                        }),
                new Command("cd", List.of(), "cd [PATH]", "Change the remote folder (no PATH: your home ~).",
                        List.of(REMOTE), (ctx, a) -> {
                            Opts o = Opts.parse("cd", a, "", 0, 1);
                            ctx.remoteCwd = ctx.conn.call(Op.CD, List.of(o.operand(0, "~"))).lines().get(0);
                        }),
                new Command("pwd", List.of(), "pwd", "Show the remote folder.", List.of(NONE), (ctx, a) -> {
                    Opts.parse("pwd", a, "", 0, 0);
                    ctx.remoteCwd = ctx.conn.call(Op.PWD, List.of()).lines().get(0);
                    ctx.out.println(ctx.remoteCwd);
                }),
                new Command("mkdir", List.of(), "mkdir [-p] PATH...",
                        "Create remote folders (-p: with missing parents, no error if it exists).", List.of(REMOTE),
                        (ctx, a) -> {
                            Opts o = Opts.parse("mkdir", a, "p", 1, -1);
                            for (String p : o.operands) {
                                ctx.conn.call(Op.MKDIR, List.of(p), o.has('p') ? 1 : 0);
                            }
                        }),
                new Command("rename", List.of("mv"), "rename FROM TO",
                        "Rename or move a remote file or folder (into TO when TO is a folder).", List.of(REMOTE),
                        (ctx, a) -> {
                            Opts o = Opts.parse("rename", a, "", 2, 2);
                            ctx.conn.call(Op.RENAME, o.operands);
                        }),
                new Command("rm", List.of("del", "delete"), "rm [-r] PATH...",
                        "Delete remote files (-r: folders with their contents).", List.of(REMOTE), (ctx, a) -> {
                            Opts o = Opts.parse("rm", a, "rf", 1, -1);
                            for (String p : o.operands) {
                                ctx.conn.call(Op.RM, List.of(p), o.has('r') ? 1 : 0);
                            }
                        }),
                new Command("cp", List.of("copy"), "cp [-r] FROM TO", "Copy on the server (-r: folders).",
                        List.of(REMOTE), (ctx, a) -> {
                            Opts o = Opts.parse("cp", a, "r", 2, 2);
                            ctx.conn.call(Op.CP, o.operands, o.has('r') ? 1 : 0);
                        }),
                new Command("checksum", List.of("sha256sum"), "checksum PATH...",
                        "Print the SHA-256 of remote files, computed by the server.", List.of(REMOTE), (ctx, a) -> {
                            Opts o = Opts.parse("checksum", a, "", 1, -1);
                            for (String p : o.operands) {
                                long wait = checksumTimeoutMillis(remoteSize(ctx, p), ctx.conn.timeoutMillis());
                                ctx.out.println(ctx.conn.callWithin(wait, Op.CHECKSUM, List.of(p)).lines().get(0)
                                        + "  " + p);
                            }
                        }),
                new Command("df", List.of(), "df", "Show your usage, quota and the server's free space.",
                        List.of(NONE), (ctx, a) -> {
                            Opts.parse("df", a, "h", 0, 0);
                            Reply r = ctx.conn.call(Op.DF, List.of());
                            long quota = r.num(1, -1);
                            ctx.out.println("used " + ProgressDisplay.human(r.num(0, 0)) + ", quota "
                                    + (quota < 0 ? "none" : ProgressDisplay.human(quota)) + ", free on server disk "
                                    + ProgressDisplay.human(r.num(2, 0)));
                        }),
                new Command("cmd", List.of(), "cmd COMMAND [ARGS...]",
                        "Run a file command on the server, inside your home: " + String.join(" ", Interpreter.COMMANDS)
                                + ". Not a shell: no pipes, no ; or && and no programs.",
                        List.of(Command.ArgKind.COMMAND, REMOTE), (ctx, a) -> {
                            if (a.isEmpty()) {
                                throw new ClientException(dev.rudp.fileclient.connection.ExitCode.USAGE,
                                        "cmd: missing command (try: cmd help)");
                            }
                            for (String l : ctx.conn.call(Op.CMD, List.of(a.get(0))).lines()) {
                                ctx.out.println(l);
                            }
                        }),
                new Command("shutdown", List.of(), "shutdown", "Stop the server gracefully (admin accounts only).",
                        List.of(NONE), (ctx, a) -> {
                            Opts.parse("shutdown", a, "", 0, 0);
                            ctx.conn.call(Op.SHUTDOWN, List.of());
                            ctx.out.println("the server is shutting down");
                        }));
    }

    private static void ls(ClientContext ctx, List<String> a) throws ClientException {
        Opts o = Opts.parse("ls", a, "la1", 0, 1);
        Reply r = ctx.conn.call(Op.LS, List.of(o.operand(0, "")));
        for (String note : r.lines()) {
            ctx.err.println("ls: " + note);
        }
        for (FileEntry e : r.entries()) {
            if (!o.has('a') && e.name().startsWith(".")) {
                continue;
            }
            ctx.out.println(o.has('l') ? Interpreter.longFormat(e) : e.name() + (e.isDirectory() ? "/" : ""));
        }
    }

    /**
     * How long to wait for a {@code checksum} of {@code size} bytes: the server reads and hashes the
     * whole file when it has no SHA-256 recorded yet (an upload checked by its CRC32C records none), so
     * at least the time a slow disk takes to read it, and never less than {@code base}.
     */
    private static long checksumTimeoutMillis(long size, long base) {
        return Math.max(base, size / SLOW_DISK_BYTES_PER_MILLI);
    }

    /** The size of the remote file {@code p}, or 0 when it cannot be told (CHECKSUM then says why). */
    private static long remoteSize(ClientContext ctx, String p) {
        try {
            List<FileEntry> e = ctx.conn.call(Op.STAT, List.of(p)).entries();
            return e.isEmpty() ? 0 : Math.max(0, e.get(0).size());
        } catch (ClientException e) {
            return 0;
        }
    }
}
