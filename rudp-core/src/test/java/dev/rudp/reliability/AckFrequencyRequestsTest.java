package dev.rudp.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rudp.wire.AckFrequencyFrame;
import org.junit.jupiter.api.Test;

class AckFrequencyRequestsTest {
    private static final int PACKET = 1400;
    private final AckFrequencyRequests requests = new AckFrequencyRequests();

    @Test
    void nothingIsAskedOfAPeerThatDidNotAnnounceTheFrame() {
        assertEquals(0, requests.due(1000L * PACKET, PACKET));
        assertFalse(requests.enabled());
        assertFalse(requests.peerDecimates());
    }

    @Test
    void aQuarterOfTheWindowWithinTheBounds() {
        requests.enable();
        assertEquals(0, requests.due(8L * PACKET, PACKET), "a quarter of 8 packets is the default of 2: no frame");
        assertEquals(0, requests.due(4L * PACKET, PACKET));
        assertEquals(10, requests.due(40L * PACKET, PACKET));
        assertEquals(AckFrequencyRequests.MAX_THRESHOLD, requests.due(100_000L * PACKET, PACKET));
        assertFalse(requests.peerDecimates(), "nothing sent yet");
    }

    @Test
    void aNewThresholdOnlyOnceTheWantedOneDoubledOrHalved() {
        requests.enable();
        assertEquals(10, requests.due(40L * PACKET, PACKET));
        assertEquals(0, requests.onSent(10));
        assertTrue(requests.peerDecimates());
        assertEquals(0, requests.due(40L * PACKET, PACKET));
        assertEquals(0, requests.due(76L * PACKET, PACKET), "19 is under twice 10");
        assertEquals(20, requests.due(80L * PACKET, PACKET));
        assertEquals(0, requests.due(24L * PACKET, PACKET), "6 is over half of 10");
        assertEquals(5, requests.due(20L * PACKET, PACKET));
        assertEquals(1, requests.onSent(5), "sequence numbers count up");
        assertEquals(AckFrequencyFrame.MIN_THRESHOLD, requests.due(2L * PACKET, PACKET),
                "back to the default when the window collapses");
        requests.onSent(AckFrequencyFrame.MIN_THRESHOLD);
        assertFalse(requests.peerDecimates());
    }

    @Test
    void onlyTheLossOfTheLatestFrameSendsItAgain() {
        requests.enable();
        long first = requests.onSent(requests.due(40L * PACKET, PACKET));
        long second = requests.onSent(requests.due(160L * PACKET, PACKET));
        requests.onLost(first);
        assertEquals(0, requests.due(160L * PACKET, PACKET), "a later frame superseded the lost one");
        requests.onLost(second);
        assertEquals(40, requests.due(160L * PACKET, PACKET));
        assertEquals(2, requests.onSent(40));
        assertEquals(0, requests.due(160L * PACKET, PACKET));
    }
}
