package dev.rudp.fileclient;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The client's log lines: placeholders filled in order, a trailing Throwable shown after them. */
class StderrLoggingTest {
    @Test
    void placeholdersAreFilledInOrder() {
        assertEquals("a 1 b 2 c", StderrLogging.format("a {} b {} c", 1, 2));
        assertEquals("no args {}", StderrLogging.format("no args {}"));
        assertEquals("one x, then {}", StderrLogging.format("one {}, then {}", "x"));
        assertEquals("null arg null", StderrLogging.format("null arg {}", (Object) null));
    }

    @Test
    void aThrowableBeyondThePlaceholdersIsAppended() {
        assertEquals("failed at x: java.io.IOException: disk",
                StderrLogging.format("failed at {}", "x", new java.io.IOException("disk")));
    }
}
