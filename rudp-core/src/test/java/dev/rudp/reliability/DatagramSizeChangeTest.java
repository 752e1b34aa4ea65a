package dev.rudp.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rudp.CongestionControl;
import org.junit.jupiter.api.Test;

/** After path MTU discovery raises the packet size, every controller and the pacer let such packets go. */
class DatagramSizeChangeTest {
    @Test
    void everyControllerRaisesItsWindowToFitTheNewSize() {
        for (CongestionControl kind : CongestionControl.values()) {
            CongestionController cc = kind.create(1200);
            assertTrue(cc.congestionWindow() < 2 * 65_507L, kind + " starts below two large packets");
            cc.onDatagramSizeChanged(65_507);
            assertTrue(cc.congestionWindow() >= NewReno.initialWindow(65_507),
                    kind + " before any loss restarts at the initial window of the new size: " + cc.congestionWindow());
        }
    }

    @Test
    void afterALossNewRenoKeepsItsWindowButNotBelowTwoPackets() {
        NewReno cc = new NewReno(1200);
        cc.onCongestionEvent(1_000, 500);
        long reduced = cc.congestionWindow();
        cc.onDatagramSizeChanged(1452);
        assertEquals(Math.max(reduced, 2 * 1452L), cc.congestionWindow());
    }

    @Test
    void thePacerBucketHoldsAtLeastOneNewPacket() {
        Pacer pacer = new Pacer(NewReno.initialWindow(1200), 0);
        pacer.setRate(1_000_000); // 1 MB/s: two timer ticks hold only 2000 bytes
        pacer.onSent(0, 14_720);
        assertTrue(pacer.delayNanos(1_000_000_000L, 65_507) > 0, "a 64 KiB packet never fits a 14720-byte bucket");
        pacer.setMinBurst(NewReno.initialWindow(65_507));
        assertEquals(0, pacer.delayNanos(2_000_000_000L, 65_507), "once refilled, it fits");
    }
}
