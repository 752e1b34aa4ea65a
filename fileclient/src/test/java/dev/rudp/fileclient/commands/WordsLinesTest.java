package dev.rudp.fileclient.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class WordsLinesTest {

    /** A -b batch is split into the lines String.lines gives (as before the loop replaced it). */
    @Test
    void aBatchSplitsAsStringLinesSplitsIt() {
        for (String text : List.of("", "ls", "ls\n", "ls\npwd", "ls\r\npwd\r\n", "ls\rpwd\r", "\n", "\n\n", "\r\n\r\n",
                "a\n\nb", "a\r\r\nb", "  spaced  \n\ttab", "ñ\u2028x\n", "last\r")) {
            assertEquals(text.lines().toList(), Words.lines(text), text.replace("\r", "\\r").replace("\n", "\\n"));
        }
    }
}
