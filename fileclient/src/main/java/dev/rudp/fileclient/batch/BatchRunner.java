package dev.rudp.fileclient.batch;

import dev.rudp.fileclient.commands.ClientContext;
import dev.rudp.fileclient.commands.CommandTable;
import dev.rudp.fileclient.connection.ExitCode;
import java.util.Iterator;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs commands one after the other, echoing each as {@code fileclient> CMD}. The first failure
 * stops the run and gives its exit code. As in sftp, a leading {@code -} lets a command fail
 * without stopping the run and a leading {@code @} suppresses its echo. Blank lines and lines
 * starting with {@code #} are skipped. An interrupt (Ctrl-C) stops the run with
 * {@link ExitCode#INTERRUPTED}.
 */
public final class BatchRunner {
    private final CommandTable table;
    private final ClientContext ctx;
    private final AtomicBoolean interrupted = new AtomicBoolean();

    public BatchRunner(CommandTable table, ClientContext ctx) {
        this.table = table;
        this.ctx = ctx;
    }

    /** Called from a signal handler: cancels the running transfer and stops the run. */
    public void interrupt() {
        interrupted.set(true);
        ctx.cancel().cancel();
    }

    /** Runs {@code lines}; returns OK only if every command (not prefixed with -) succeeded. */
    public ExitCode run(Iterator<String> lines) {
        while (lines.hasNext() && !ctx.exitRequested()) {
            String line = lines.next().trim();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            boolean ignoreFailure = false;
            boolean echo = true;
            while (line.startsWith("-") || line.startsWith("@")) {
                if (line.charAt(0) == '-') {
                    ignoreFailure = true;
                } else {
                    echo = false;
                }
                line = line.substring(1).trim();
            }
            if (echo) {
                printEcho(line);
            }
            ExitCode code = table.execute(ctx, line);
            if (interrupted.get()) {
                return ExitCode.INTERRUPTED;
            }
            if (code != ExitCode.OK && !ignoreFailure) {
                return code;
            }
            if (ctx.connection() != null && !ctx.connection().isOpen() && ctx.reconnector() == null) {
                // with --reconnect the next command reconnects first
                return ExitCode.CONNECTION_LOST;
            }
        }
        return interrupted.get() ? ExitCode.INTERRUPTED : ExitCode.OK;
    }

    private void printEcho(String line) {
        ctx.echo("fileclient> " + line);
    }
}
