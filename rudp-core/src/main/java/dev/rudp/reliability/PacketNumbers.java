package dev.rudp.reliability;

import java.util.Arrays;
import java.util.function.LongPredicate;

/**
 * A sorted list of packet numbers, mostly appended at the end. Lets the loss detector visit only
 * the few packets that still matter below the largest acknowledged one, instead of the whole log.
 */
final class PacketNumbers {
    private long[] values = new long[16];
    private int size;

    int size() {
        return size;
    }

    long get(int i) {
        return values[i];
    }

    void clear() {
        size = 0;
    }

    /** Inserts {@code pn} in order (no duplicates are ever added by the caller). */
    void add(long pn) {
        if (size == values.length) {
            values = Arrays.copyOf(values, size * 2);
        }
        int i = size;
        while (i > 0 && values[i - 1] > pn) {
            i--;
        }
        System.arraycopy(values, i, values, i + 1, size - i);
        values[i] = pn;
        size++;
    }

    /** Index of the first value at least {@code pn} (size if none). */
    int lowerBound(long pn) {
        int lo = 0;
        int hi = size;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (values[mid] < pn) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Keeps only the values {@code keep} accepts, in order. */
    void retainIf(LongPredicate keep) {
        int w = 0;
        for (int r = 0; r < size; r++) {
            if (keep.test(values[r])) {
                values[w++] = values[r];
            }
        }
        size = w;
    }

    /** Drops every value below {@code pn}. */
    void removeBelow(long pn) {
        int n = lowerBound(pn);
        if (n > 0) {
            System.arraycopy(values, n, values, 0, size - n);
            size -= n;
        }
    }
}
