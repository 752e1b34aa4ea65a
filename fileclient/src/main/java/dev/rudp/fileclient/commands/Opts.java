package dev.rudp.fileclient.commands;

import dev.rudp.fileclient.connection.ClientException;
import dev.rudp.fileclient.connection.ExitCode;
import java.util.ArrayList;
import java.util.List;

/** Parsed short flags and operands of one command; unknown flags are a usage error. */
final class Opts {
    private final String flags;
    final List<String> operands = new ArrayList<>();
    private final StringBuilder seen = new StringBuilder();

    private Opts(String flags) {
        this.flags = flags;
    }

    static Opts parse(String command, List<String> args, String allowed, int min, int max) throws ClientException {
        Opts o = new Opts(allowed);
        boolean end = false;
        for (String a : args) {
            if (!end && a.equals("--")) {
                end = true;
            } else if (!end && a.startsWith("-") && a.length() > 1) {
                for (char c : a.substring(1).toCharArray()) {
                    if (o.flags.indexOf(c) < 0) {
                        throw new ClientException(ExitCode.USAGE, command + ": unknown option -" + c);
                    }
                    o.seen.append(c);
                }
            } else {
                o.operands.add(a);
            }
        }
        if (o.operands.size() < min || (max >= 0 && o.operands.size() > max)) {
            throw new ClientException(ExitCode.USAGE, command + ": wrong number of arguments (see help "
                    + command + ")");
        }
        return o;
    }

    boolean has(char c) {
        return seen.indexOf(String.valueOf(c)) >= 0;
    }

    String operand(int i, String dflt) {
        return i < operands.size() ? operands.get(i) : dflt;
    }
}
