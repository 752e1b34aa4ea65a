package dev.rudp.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PathMtuTest {
    private long pn;

    /** Runs the search against a path that carries {@code limit}; returns the probes it took. */
    private int search(PathMtu mtu, int limit, long now) {
        int probes = 0;
        for (int size = mtu.probeSize(now); size != 0; size = mtu.probeSize(now)) {
            assertTrue(probes++ < 100, "the search ends");
            long p = pn++;
            mtu.onProbeSent(size, p);
            assertEquals(0, mtu.probeSize(now), "one probe at a time");
            if (size <= limit) {
                mtu.onProbeAcked(p, now);
            } else {
                mtu.onProbeLost(p, now);
            }
        }
        return probes;
    }

    @Test
    void theCeilingIsTriedFirstAndOneAckEndsTheSearch() {
        PathMtu mtu = new PathMtu(1200, 65_507);
        assertEquals(1200, mtu.current());
        assertEquals(1, search(mtu, 65_507, 0));
        assertEquals(65_507, mtu.current());
    }

    @Test
    void aSmallerPathIsFoundByBisectionWithinTheResolution() {
        PathMtu mtu = new PathMtu(1200, 65_507);
        search(mtu, 9000, 0);
        assertTrue(mtu.current() <= 9000 && 9000 - mtu.current() <= PathMtu.RESOLUTION, "found " + mtu.current());
    }

    @Test
    void aSizeIsGivenUpOnlyAfterMaxProbesLosses() {
        PathMtu mtu = new PathMtu(1200, 1472);
        for (int i = 0; i < PathMtu.MAX_PROBES - 1; i++) {
            assertEquals(1472, mtu.probeSize(0));
            mtu.onProbeSent(1472, pn);
            mtu.onProbeLost(pn++, 0);
        }
        assertEquals(1472, mtu.probeSize(0), "random loss of a probe or two does not rule the size out");
        mtu.onProbeSent(1472, pn);
        assertTrue(mtu.onProbeAcked(pn++, 0));
        assertEquals(1472, mtu.current());
        assertEquals(PathMtu.MAX_PROBES - 1, mtu.probesLost());
    }

    @Test
    void aLateAckOfAnAbandonedProbeChangesNothing() {
        PathMtu mtu = new PathMtu(1200, 65_507);
        mtu.onProbeSent(65_507, 1);
        mtu.onProbeLost(1, 0);
        mtu.onProbeSent(65_507, 2);
        assertFalse(mtu.onProbeAcked(1, 0), "probe 1 is no longer the outstanding one");
        assertEquals(1200, mtu.current());
        assertEquals(0, mtu.probeSize(0), "probe 2 is still outstanding");
    }

    @Test
    void aFinishedSearchStartsOverAfterTheRaiseInterval() {
        PathMtu mtu = new PathMtu(1200, 65_507);
        search(mtu, 9000, 0);
        int found = mtu.current();
        assertEquals(0, mtu.probeSize(PathMtu.RAISE_INTERVAL_NANOS - 1));
        assertEquals(65_507, mtu.probeSize(PathMtu.RAISE_INTERVAL_NANOS), "the path may carry more now");
        search(mtu, 65_507, PathMtu.RAISE_INTERVAL_NANOS);
        assertTrue(mtu.current() > found);
        assertEquals(65_507, mtu.current());
    }

    @Test
    void noDiscoveryWhenBaseEqualsCeiling() {
        PathMtu mtu = new PathMtu(1452, 1452);
        assertEquals(0, mtu.probeSize(0));
        assertEquals(0, mtu.probeSize(Long.MAX_VALUE / 2));
        assertThrows(IllegalArgumentException.class, () -> new PathMtu(1500, 1452));
    }
}
