package dev.rudp.fileclient.shell;

import dev.rudp.fileclient.commands.ClientContext;
import dev.rudp.fileclient.commands.CommandTable;
import dev.rudp.fileclient.connection.ExitCode;
import java.io.IOException;
import java.nio.file.Path;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;

/**
 * The interactive shell: prompt {@code user@host:cwd>}, history in a file, tab completion, Ctrl-C
 * cancels the running transfer (and clears the line at the prompt), Ctrl-D or exit leaves. Each
 * failing command prints one line; the shell goes on.
 */
public final class Shell {
    private final Terminal terminal;
    private final ClientContext ctx;
    private final CommandTable table;
    private final Path historyFile;

    public Shell(Terminal terminal, ClientContext ctx, CommandTable table, Path historyFile) {
        this.terminal = terminal;
        this.ctx = ctx;
        this.table = table;
        this.historyFile = historyFile;
    }

    /** Whether {@code t} can redraw a progress bar (not a dumb terminal). */
    public static boolean canRedraw(Terminal t) {
        return !Terminal.TYPE_DUMB.equals(t.getType()) && !Terminal.TYPE_DUMB_COLOR.equals(t.getType());
    }

    /** The history file under the user's home: {@code ~/.fileclient_history}. */
    public static Path defaultHistory() {
        return Path.of(System.getProperty("user.home"), ".fileclient_history");
    }

    /** Runs until exit, Ctrl-D or a lost connection; returns the exit code of the session. */
    public ExitCode run() {
        LineReader reader = LineReaderBuilder.builder().terminal(terminal).appName("fileclient")
                .completer(new ShellCompleter(table, ctx))
                .variable(LineReader.HISTORY_FILE, historyFile)
                .variable(LineReader.HISTORY_SIZE, 10_000)
                .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true)
                .build();
        Terminal.SignalHandler previous = terminal.handle(Terminal.Signal.INT, s -> ctx.cancel().cancel());
        ctx.announceWith(reader::printAbove);
        ExitCode result = ExitCode.OK;
        try {
            while (!ctx.exitRequested()) {
                String line;
                try {
                    line = reader.readLine(ctx.prompt());
                } catch (UserInterruptException e) {
                    continue;
                } catch (EndOfFileException e) {
                    break;
                }
                table.execute(ctx, line);
                if (!ctx.connection().isOpen() && ctx.reconnector() != null) {
                    // back to the prompt connected (or say why not and leave as without --reconnect)
                    table.reconnect(ctx);
                }
                if (!ctx.connection().isOpen()) {
                    terminal.writer().println("connection to " + ctx.connection().host() + " lost");
                    terminal.writer().flush();
                    result = ExitCode.CONNECTION_LOST;
                    break;
                }
            }
        } finally {
            terminal.handle(Terminal.Signal.INT, previous);
            ctx.announceWith(null);
            try {
                reader.getHistory().save();
            } catch (IOException e) {
                // history is a convenience: never fail the session for it
            }
        }
        return result;
    }
}
