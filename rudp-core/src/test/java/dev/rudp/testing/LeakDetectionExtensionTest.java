package dev.rudp.testing;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBufAllocator;
import org.junit.jupiter.api.Test;

/** The leak check itself must catch a leak, or the other tests' silence means nothing. */
class LeakDetectionExtensionTest {
    @Test
    void reportsALeakedBufferWithWhereItWasTouched() {
        leakOneBuffer();
        AssertionError e = assertThrows(AssertionError.class, () -> new LeakDetectionExtension().afterAll(null));
        assertTrue(e.getMessage().startsWith("1 ByteBuf leak(s) detected"), e.getMessage());
        assertTrue(e.getMessage().contains("leakOneBuffer"), "the report says where: " + e.getMessage());
    }

    private static void leakOneBuffer() {
        ByteBufAllocator.DEFAULT.directBuffer(16).writeInt(1);
    }
}
