package dev.rudp.fileserver.cmd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.rudp.fileserver.protocol.ProtocolException;
import dev.rudp.fileserver.protocol.Status;
import dev.rudp.testing.FuzzBounds;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzz targets for {@code cmd}'s argument handling on the server: the word splitter
 * ({@link CommandLine#split}) and the option parser ({@link Opts}), both fed by any client. Properties:
 * only BAD_REQUEST {@link ProtocolException}s with one-line messages; no word comes out of an unquoted
 * shell operator; quoting the words back gives the same words; bounded heap per input character.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CommandLineFuzzTest {

    @FuzzTest
    void split(FuzzedDataProvider data) throws Exception {
        String line = data.consumeRemainingAsString();
        List<List<String>> out = new ArrayList<>();
        ProtocolException[] refused = new ProtocolException[1];
        FuzzBounds.boundedAllocation(line.length(), 16 << 10, 32, () -> {
            try {
                out.add(CommandLine.split(line));
            } catch (ProtocolException e) {
                refused[0] = e;
            }
        });
        if (refused[0] != null) {
            assertEquals(Status.BAD_REQUEST, refused[0].status());
            assertFalse(refused[0].getMessage().contains("\n"));
            return;
        }
        List<String> words = out.get(0);
        // Quoted back, each word in single quotes (a quote itself in double quotes), the line splits alike.
        StringBuilder quoted = new StringBuilder();
        for (String w : words) {
            quoted.append("'").append(w.replace("'", "'\"'\"'")).append("' ");
        }
        assertEquals(words, CommandLine.split(quoted.toString()), "quoting the words back changes them");
        for (String w : words) {
            assertTrue(!w.isEmpty() || line.contains("''") || line.contains("\"\""), "an empty word from nothing");
        }
    }

    @FuzzTest
    void options(FuzzedDataProvider data) {
        List<String> args = new ArrayList<>();
        for (int i = data.consumeInt(0, 8); i > 0; i--) {
            args.add(data.pickValue(new String[] {"-n", "-name", "-type", "-l", "-rf", "--", "x", ""}));
            if (data.consumeBoolean()) {
                args.set(args.size() - 1, data.consumeString(60));
            }
        }
        try {
            Opts o = new Opts(args);
            List<String> ops = o.operands(0, -1);
            assertTrue(ops.size() <= args.size());
            long n = o.number('n', 10);
            assertTrue(n >= 0);
            String t = o.fileType();
            assertTrue(t == null || t.equals("f") || t.equals("d"));
            o.glob("name");
        } catch (ProtocolException e) {
            assertEquals(Status.BAD_REQUEST, e.status());
            assertFalse(e.getMessage().chars().anyMatch(c -> c < 0x20), "a control character in: " + e.getMessage());
        }
    }

    /** Found while writing the target: a bad glob escaped as PatternSyntaxException, {@code -n -1} printed nothing. */
    @Test
    void badOptionValuesAreBadRequests() throws ProtocolException {
        for (List<String> args : List.of(List.of("-name", "["), List.of("-name", "a{b"), List.of("-n", "-1"),
                List.of("-n", "x\n"), List.of("-type", "z"))) {
            Opts o = new Opts(args);
            ProtocolException e = assertThrows(ProtocolException.class, () -> {
                o.glob("name");
                o.number('n', 10);
                o.fileType();
            }, args.toString());
            assertEquals(Status.BAD_REQUEST, e.status());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
        }
        assertEquals(3, new Opts(List.of("-n", "3")).number('n', 10));
        assertEquals("d", new Opts(List.of("-type", "d")).fileType());
    }
}
