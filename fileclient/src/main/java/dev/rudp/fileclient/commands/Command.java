package dev.rudp.fileclient.commands;

import dev.rudp.fileclient.connection.ClientException;
import java.util.List;

/**
 * One client command: its name, aliases, usage, help text, what its arguments complete to, and
 * its action.
 *
 * @param name the command name
 * @param aliases other names
 * @param usage one-line synopsis
 * @param help what it does
 * @param args what each argument position completes to (the last kind repeats)
 * @param action the action
 */
public record Command(String name, List<String> aliases, String usage, String help, List<ArgKind> args,
        Action action) {

    /** What an argument completes to in the shell. */
    public enum ArgKind { REMOTE, LOCAL, COMMAND, NONE }

    /** A command's action. */
    @FunctionalInterface
    public interface Action {
        void run(ClientContext ctx, List<String> args) throws ClientException;
    }

    /** The kind of argument number {@code i} (0-based, after the command name). */
    public ArgKind argKind(int i) {
        if (args.isEmpty()) {
            return ArgKind.NONE;
        }
        return args.get(Math.min(i, args.size() - 1));
    }
}
