package dev.rudp.fileserver.storage;

import java.util.TreeMap;

/**
 * Byte ranges received so far, merged as they touch; tells the end of the contiguous prefix, which
 * is what a resumed transfer may keep. Not thread-safe.
 */
public final class Ranges {
    private final TreeMap<Long, Long> ranges = new TreeMap<>();

    /** Records {@code [from, to)}. */
    public void add(long from, long to) {
        Long prevKey = ranges.floorKey(from);
        if (prevKey != null && ranges.get(prevKey) >= from) {
            from = prevKey;
            to = Math.max(to, ranges.get(prevKey));
        }
        Long next = ranges.ceilingKey(from);
        while (next != null && next <= to) {
            to = Math.max(to, ranges.remove(next));
            next = ranges.ceilingKey(from);
        }
        ranges.put(from, to);
    }

    /** The end of the contiguous bytes starting at {@code start}. */
    public long prefix(long start) {
        Long key = ranges.floorKey(start);
        if (key == null) {
            return start;
        }
        long end = ranges.get(key);
        return end >= start ? end : start;
    }

    /** Number of separate ranges (for tests). */
    public int count() {
        return ranges.size();
    }
}
