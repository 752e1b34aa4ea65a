package dev.rudp.dtls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The RFC 6347 section 4.1.2.6 window: fresh, duplicate, inside and below its 64 numbers. */
class ReplayWindowTest {
    @Test
    void everythingIsFreshBeforeTheFirstRecord() {
        ReplayWindow w = new ReplayWindow();
        assertTrue(w.isFresh(0));
        assertTrue(w.isFresh(ReplayWindow.SIZE * 3));
        assertEquals(-1, w.highest());
    }

    @Test
    void aSecondCopyIsRefused() {
        ReplayWindow w = new ReplayWindow();
        w.accept(5);
        assertFalse(w.isFresh(5));
        assertTrue(w.isFresh(4));
        assertTrue(w.isFresh(6));
    }

    @Test
    void edgesOfTheWindow() {
        ReplayWindow w = new ReplayWindow();
        long top = 1000;
        w.accept(top);
        assertTrue(w.isFresh(top - (ReplayWindow.SIZE - 1)), "the lowest number inside the window");
        assertFalse(w.isFresh(top - ReplayWindow.SIZE), "just below the window");
        w.accept(top - (ReplayWindow.SIZE - 1));
        assertFalse(w.isFresh(top - (ReplayWindow.SIZE - 1)));
        w.accept(top + 1);
        assertFalse(w.isFresh(top - (ReplayWindow.SIZE - 1)), "slid out of the window");
        assertFalse(w.isFresh(top));
        assertFalse(w.isFresh(top + 1));
        assertTrue(w.isFresh(top - 1));
    }

    @Test
    void reorderedRecordsInsideTheWindowAreAcceptedOnce() {
        ReplayWindow w = new ReplayWindow();
        long[] order = {10, 12, 11, 9, 40, 13, 73, 10, 74};
        boolean[] fresh = {true, true, true, true, true, true, true, false, true};
        for (int i = 0; i < order.length; i++) {
            assertEquals(fresh[i], w.isFresh(order[i]), "record " + order[i] + " at step " + i);
            if (fresh[i]) {
                w.accept(order[i]);
            }
        }
        assertFalse(w.isFresh(11), "74 - 11 = 63: inside, already seen");
        assertTrue(w.isFresh(14), "inside, never seen");
        assertFalse(w.isFresh(10), "74 - 10 = 64: just below the window");
    }

    @Test
    void aLargeJumpForgetsEverything() {
        ReplayWindow w = new ReplayWindow();
        w.accept(1);
        w.accept(1 + 10 * ReplayWindow.SIZE);
        assertFalse(w.isFresh(1));
        assertTrue(w.isFresh(10 * ReplayWindow.SIZE));
        assertEquals(1 + 10 * ReplayWindow.SIZE, w.highest());
    }
}
