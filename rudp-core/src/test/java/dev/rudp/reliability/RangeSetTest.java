package dev.rudp.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RangeSetTest {

    @Test
    void addMergesOverlappingAndAdjacentRanges() {
        RangeSet s = new RangeSet(16, false);
        assertTrue(s.isEmpty());
        assertEquals(11, s.add(10, 20));
        assertEquals(5, s.add(30, 34));
        assertEquals("[10-20, 30-34]", s.toString());
        assertEquals(9, s.add(21, 29), "fills the hole exactly, touching both sides");
        assertEquals("[10-34]", s.toString());
        assertEquals(0, s.add(12, 18));
        assertEquals(5, s.add(5, 12));
        assertEquals(2, s.add(35, 36));
        assertEquals("[5-36]", s.toString());
        assertEquals(1, s.rangeCount());
        assertEquals(5, s.min());
        assertEquals(36, s.max());
        assertTrue(s.add(0));
        assertFalse(s.add(0));
        assertEquals("[0-0, 5-36]", s.toString());
    }

    @Test
    void addSpanningSeveralRangesCountsOnlyNewValues() {
        RangeSet s = new RangeSet(16, false);
        s.add(0, 0);
        s.add(2, 3);
        s.add(6, 9);
        s.add(20, 20);
        assertEquals(10 - 7, s.add(0, 9));
        assertEquals("[0-9, 20-20]", s.toString());
        assertEquals(11 - 1, s.add(15, 25));
        assertEquals("[0-9, 15-25]", s.toString());
    }

    @Test
    void containsAndContainsAll() {
        RangeSet s = new RangeSet(16, false);
        s.add(10, 20);
        s.add(30, 40);
        assertFalse(s.contains(9));
        assertTrue(s.contains(10));
        assertTrue(s.contains(20));
        assertFalse(s.contains(21));
        assertTrue(s.containsAll(10, 20));
        assertTrue(s.containsAll(12, 15));
        assertFalse(s.containsAll(15, 31), "spans a hole");
        assertFalse(s.containsAll(9, 12));
        assertFalse(s.containsAll(0, 5));
        assertTrue(s.containsAll(40, 40));
        assertFalse(s.containsAll(41, 41));
    }

    @Test
    void removeBelow() {
        RangeSet s = new RangeSet(16, false);
        s.add(0, 5);
        s.add(10, 20);
        s.add(30, 40);
        s.removeBelow(15);
        assertEquals("[15-20, 30-40]", s.toString());
        s.removeBelow(25);
        assertEquals("[30-40]", s.toString());
        s.removeBelow(100);
        assertTrue(s.isEmpty());
        assertEquals(3, s.add(1, 3));
    }

    @Test
    void refusesWhenFullButStillMergesIntoExistingRanges() {
        RangeSet s = new RangeSet(3, false);
        s.add(0, 0);
        s.add(10, 10);
        s.add(20, 20);
        assertEquals(-1, s.add(30, 30));
        assertEquals(-1, s.add(5, 5));
        assertEquals("[0-0, 10-10, 20-20]", s.toString());
        assertEquals(2, s.add(8, 9), "touching an existing range needs no new slot");
        assertEquals(9, s.add(11, 20), "merging two ranges frees a slot");
        assertEquals(2, s.rangeCount());
        assertEquals(1, s.add(30, 30));
    }

    @Test
    void evictsTheLowestRangeWhenFull() {
        RangeSet s = new RangeSet(3, true);
        s.add(0, 0);
        s.add(10, 10);
        s.add(20, 20);
        assertEquals(1, s.add(30, 30));
        assertEquals("[10-10, 20-20, 30-30]", s.toString());
        assertEquals(0, s.add(5, 5), "below everything remembered: treated as seen");
        assertEquals("[10-10, 20-20, 30-30]", s.toString());
        assertEquals(1, s.add(15, 15));
        assertEquals("[15-15, 20-20, 30-30]", s.toString());
    }

    @Test
    void emptyRangeIsAnError() {
        assertThrows(IllegalArgumentException.class, () -> new RangeSet(4, false).add(5, 4));
    }

    /** Random adds, removals and queries against a TreeSet model; refusal keeps the set unchanged. */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void matchesATreeSetModel(long seed) {
        Random random = new Random(seed);
        int maxRanges = seed % 2 == 0 ? 1000 : 6;
        RangeSet s = new RangeSet(maxRanges, false);
        TreeSet<Long> model = new TreeSet<>();
        for (int op = 0; op < 1500; op++) {
            String what;
            int kind = random.nextInt(10);
            if (kind < 8) {
                long low = random.nextInt(300);
                long high = low + (random.nextInt(4) == 0 ? random.nextInt(40) : random.nextInt(3));
                what = "add(" + low + ", " + high + ") to " + s;
                String before = s.toString();
                long added = s.add(low, high);
                if (added < 0) {
                    assertEquals(maxRanges, s.rangeCount(), what);
                    assertEquals(before, s.toString(), "refused add changed the set: " + what);
                } else {
                    long expected = 0;
                    for (long v = low; v <= high; v++) {
                        if (model.add(v)) {
                            expected++;
                        }
                    }
                    assertEquals(expected, added, what);
                }
            } else if (kind == 8) {
                long v = random.nextInt(200);
                what = "removeBelow(" + v + ") of " + s;
                s.removeBelow(v);
                model.headSet(v).clear();
            } else {
                long low = random.nextInt(300);
                long high = low + random.nextInt(20);
                boolean all = true;
                for (long v = low; v <= high; v++) {
                    all &= model.contains(v);
                }
                assertEquals(all, s.containsAll(low, high), "containsAll(" + low + ", " + high + ") in " + s);
                continue;
            }
            checkAgainst(model, s, "seed " + seed + " op " + op + " " + what);
        }
    }

    /** With eviction the set holds exactly the model's values from its own minimum up. */
    @ParameterizedTest
    @ValueSource(longs = {11, 12, 13, 14})
    void evictionForgetsOnlyTheLowestValues(long seed) {
        Random random = new Random(seed);
        RangeSet s = new RangeSet(5, true);
        TreeSet<Long> model = new TreeSet<>();
        for (int op = 0; op < 1500; op++) {
            long low = random.nextInt(400);
            long high = low + random.nextInt(3);
            String what = "seed " + seed + " add(" + low + ", " + high + ") to " + s;
            long added = s.add(low, high);
            TreeSet<Long> expected = new TreeSet<>(model);
            for (long v = low; v <= high; v++) {
                expected.add(v);
            }
            assertTrue(added >= 0, what);
            assertTrue(s.rangeCount() <= 5, what);
            if (!s.isEmpty()) {
                expected.headSet(s.min()).clear();
            }
            if (added == 0 && model.equals(expected)) {
                checkAgainst(model, s, what);
            }
            checkAgainst(expected, s, what);
            model = expected;
        }
    }

    private static void checkAgainst(TreeSet<Long> model, RangeSet s, String what) {
        for (int i = 0; i < s.rangeCount(); i++) {
            assertTrue(s.low(i) <= s.high(i), what);
            if (i > 0) {
                assertTrue(s.low(i) > s.high(i - 1) + 1, "ranges must be disjoint and not touch: " + what);
            }
        }
        for (long v = 0; v <= 450; v++) {
            assertEquals(model.contains(v), s.contains(v), "contains(" + v + ") after " + what + " -> " + s);
        }
        assertEquals(model.isEmpty(), s.isEmpty(), what);
        if (!model.isEmpty()) {
            assertEquals(model.first(), s.min(), what);
            assertEquals(model.last(), s.max(), what);
        }
    }
}
