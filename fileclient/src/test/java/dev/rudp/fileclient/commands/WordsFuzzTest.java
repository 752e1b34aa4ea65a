package dev.rudp.fileclient.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.rudp.fileclient.connection.ClientException;
import dev.rudp.fileclient.connection.ExitCode;
import dev.rudp.testing.FuzzBounds;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzz targets for the shell's word splitter and batch-script splitter ({@link Words}) and the client's
 * option parser ({@link Opts}): whatever a user types or a script holds. Properties: no exception (a
 * usage error is a ClientException with {@link ExitCode#USAGE}); a command of a script holds no unquoted
 * semicolon; quoting the words back gives the same words; bounded heap per input character.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WordsFuzzTest {

    @FuzzTest
    void split(FuzzedDataProvider data) throws Exception {
        String line = data.consumeRemainingAsString();
        List<List<String>> out = new ArrayList<>();
        FuzzBounds.boundedAllocation(line.length(), 16 << 10, 32, () -> out.add(Words.split(line)));
        List<String> words = out.get(0);
        if (words == null) {
            return; // an open quote
        }
        StringBuilder quoted = new StringBuilder();
        for (String w : words) {
            quoted.append("'").append(w.replace("'", "'\"'\"'")).append("' ");
        }
        assertEquals(words, Words.split(quoted.toString()), "quoting the words back changes them");
    }

    @FuzzTest
    void script(FuzzedDataProvider data) throws Exception {
        String script = data.consumeRemainingAsString();
        List<List<String>> out = new ArrayList<>();
        FuzzBounds.boundedAllocation(script.length(), 16 << 10, 32, () -> out.add(Words.commands(script)));
        for (String command : out.get(0)) {
            assertFalse(command.isEmpty());
            assertFalse(Character.isWhitespace(command.charAt(0)), "a command that starts with a blank");
            // Each command holds no semicolon outside quotes (or escaped): splitting it again changes nothing.
            assertEquals(List.of(command), Words.commands(command), "a command that splits further: " + command);
            Words.split(command);
        }
    }

    @FuzzTest
    void options(FuzzedDataProvider data) {
        List<String> args = new ArrayList<>();
        for (int i = data.consumeInt(0, 8); i > 0; i--) {
            args.add(data.consumeBoolean() ? data.pickValue(new String[] {"-r", "-a", "-l", "--", "-", "x"})
                    : data.consumeString(30));
        }
        String allowed = data.consumeString(4);
        int min = data.consumeInt(0, 3);
        int max = data.consumeInt(-1, 4);
        try {
            Opts o = Opts.parse("cmd", args, allowed, min, max);
            assertTrue(o.operands.size() >= min && (max < 0 || o.operands.size() <= max));
            for (String a : args) {
                if (!a.startsWith("-") || a.equals("-")) {
                    assertTrue(o.operands.contains(a), "operand " + a + " lost");
                }
            }
        } catch (ClientException e) {
            assertEquals(ExitCode.USAGE, e.code());
        }
    }

    /**
     * Found while fuzzing: a command of Unicode blanks (U+2000) was kept before a ';' and dropped at the end;
     * an escaped blank at a command's end was cut off.
     */
    @Test
    void scriptsSplitOnTheSameBlanksAsWords() {
        assertEquals(List.of("ls"), Words.commands("\u2000;ls;\u2000"));
        assertEquals(List.of("put a\\ ", "ls"), Words.commands(" put a\\ ; ls "));
        assertEquals(List.of("put", "a "), Words.split(Words.commands("put a\\ ;").get(0)));
    }
}
