package dev.rudp.fileserver.cmd;

import dev.rudp.fileserver.protocol.ProtocolException;
import dev.rudp.fileserver.protocol.Status;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a command line into words: blanks separate words, single and double quotes group, a
 * backslash escapes the next character. Unquoted shell operators ({@code ; & | ` $( > <}) are
 * refused: {@code cmd} runs one file command, never a shell.
 */
public final class CommandLine {
    private CommandLine() {
    }

    /** The words of {@code line}. */
    public static List<String> split(String line) throws ProtocolException {
        List<String> words = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else if (c == '\\' && quote == '"' && i + 1 < line.length()) {
                    cur.append(line.charAt(++i));
                } else {
                    cur.append(c);
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
                inWord = true;
            } else if (c == '\\' && i + 1 < line.length()) {
                cur.append(line.charAt(++i));
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(cur.toString());
                    cur.setLength(0);
                    inWord = false;
                }
            } else if (";&|`<>".indexOf(c) >= 0 || (c == '$' && i + 1 < line.length() && line.charAt(i + 1) == '(')) {
                throw ProtocolException.of(Status.BAD_REQUEST, "'" + c + "' is not supported: cmd runs one file"
                        + " command, not a shell (quote it to use it in a name)");
            } else {
                cur.append(c);
                inWord = true;
            }
        }
        if (quote != 0) {
            throw ProtocolException.of(Status.BAD_REQUEST, "unterminated quote");
        }
        if (inWord) {
            words.add(cur.toString());
        }
        return words;
    }
}
