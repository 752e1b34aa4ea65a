package dev.rudp.reliability;

import java.util.Arrays;

/**
 * A set of non-negative longs held as sorted, disjoint, inclusive ranges. Used for received
 * packet numbers and for the bytes of a message being reassembled. When {@code maxRanges} would
 * be exceeded the lowest range is dropped (for packet numbers, old history) or the add is refused
 * (see {@link #add}); memory is bounded either way.
 */
public final class RangeSet {
    private long[] lows;
    private long[] highs;
    private int count;
    private final int maxRanges;
    private final boolean evictLowest;

    /**
     * @param maxRanges most ranges held
     * @param evictLowest on overflow, forget the lowest range (true) or refuse the add (false)
     */
    public RangeSet(int maxRanges, boolean evictLowest) {
        this.maxRanges = maxRanges;
        this.evictLowest = evictLowest;
        int initial = Math.min(maxRanges, 8);
        lows = new long[initial];
        highs = new long[initial];
    }

    public int rangeCount() {
        return count;
    }

    public boolean isEmpty() {
        return count == 0;
    }

    /** Lowest value of range {@code i}, ranges ordered low to high. */
    public long low(int i) {
        return lows[i];
    }

    /** Highest value of range {@code i}. */
    public long high(int i) {
        return highs[i];
    }

    /** Largest value in the set; undefined when empty. */
    public long max() {
        return highs[count - 1];
    }

    /** Smallest value in the set; undefined when empty. */
    public long min() {
        return lows[0];
    }

    public void clear() {
        count = 0;
    }

    /** Index of the last range whose low is at most {@code v}, or -1. */
    private int floor(long v) {
        int lo = 0;
        int hi = count - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (lows[mid] <= v) {
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return hi;
    }

    public boolean contains(long v) {
        int i = floor(v);
        return i >= 0 && highs[i] >= v;
    }

    /** Whether every value of [low, high] is in the set. */
    public boolean containsAll(long low, long high) {
        int i = floor(low);
        return i >= 0 && highs[i] >= high;
    }

    /**
     * Adds [low, high]. Returns how many values were not in the set before, or -1 if the set is
     * full and refuses additions (nothing changed then).
     */
    public long add(long low, long high) {
        if (low > high) {
            throw new IllegalArgumentException(low + " > " + high);
        }
        int i = floor(low);
        // first range that may merge: the floor if it touches low, else the one after it
        int first = (i >= 0 && highs[i] >= low - 1) ? i : i + 1;
        int last = first;
        while (last < count && lows[last] <= high + 1) {
            last++;
        }
        // ranges [first, last) overlap or touch [low, high]
        if (first == last) {
            if (count == maxRanges) {
                if (!evictLowest) {
                    return -1;
                }
                if (first == 0) {
                    return 0; // below everything we remember: treat as already seen
                }
                removeRange(0);
                first--;
            }
            insertAt(first, low, high);
            return high - low + 1;
        }
        long covered = 0;
        for (int k = first; k < last; k++) {
            long ol = Math.max(lows[k], low);
            long oh = Math.min(highs[k], high);
            if (ol <= oh) {
                covered += oh - ol + 1;
            }
        }
        long newLow = Math.min(low, lows[first]);
        long newHigh = Math.max(high, highs[last - 1]);
        lows[first] = newLow;
        highs[first] = newHigh;
        int removed = last - first - 1;
        if (removed > 0) {
            System.arraycopy(lows, last, lows, first + 1, count - last);
            System.arraycopy(highs, last, highs, first + 1, count - last);
            count -= removed;
        }
        return (high - low + 1) - covered;
    }

    /** Adds a single value; returns true if it was new. */
    public boolean add(long v) {
        return add(v, v) > 0;
    }

    /** Forgets every value below {@code v}. */
    public void removeBelow(long v) {
        int drop = 0;
        while (drop < count && highs[drop] < v) {
            drop++;
        }
        if (drop > 0) {
            System.arraycopy(lows, drop, lows, 0, count - drop);
            System.arraycopy(highs, drop, highs, 0, count - drop);
            count -= drop;
        }
        if (count > 0 && lows[0] < v) {
            lows[0] = v;
        }
    }

    private void removeRange(int i) {
        System.arraycopy(lows, i + 1, lows, i, count - i - 1);
        System.arraycopy(highs, i + 1, highs, i, count - i - 1);
        count--;
    }

    private void insertAt(int i, long low, long high) {
        if (count == lows.length) {
            int n = Math.min(maxRanges, lows.length * 2);
            lows = Arrays.copyOf(lows, n);
            highs = Arrays.copyOf(highs, n);
        }
        System.arraycopy(lows, i, lows, i + 1, count - i);
        System.arraycopy(highs, i, highs, i + 1, count - i);
        lows[i] = low;
        highs[i] = high;
        count++;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < count; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(lows[i]).append('-').append(highs[i]);
        }
        return sb.append(']').toString();
    }
}
