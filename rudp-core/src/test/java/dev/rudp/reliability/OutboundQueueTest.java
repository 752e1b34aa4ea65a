package dev.rudp.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class OutboundQueueTest {
    private final SentPacketLog log = new SentPacketLog();
    private final List<ByteBuf> written = new ArrayList<>();
    private OutboundQueue queue;

    @AfterEach
    void release() {
        queue.releaseAll(log);
        for (ByteBuf b : written) {
            assertEquals(0, b.refCnt(), "every written message released");
        }
    }

    private void enqueue(int size, boolean ordered) {
        ByteBuf b = Unpooled.buffer(size).writeZero(size);
        written.add(b);
        queue.enqueue(b, ordered);
    }

    /** Writes one packet of up to {@code room} bytes; returns its log slot. */
    private SentPacket write(int room) {
        SentPacket p = log.append(0);
        ByteBuf out = Unpooled.buffer(room);
        try {
            queue.writeFrames(out, room, p);
            assertTrue(out.readableBytes() <= room);
        } finally {
            out.release();
        }
        return p;
    }

    @Test
    void messageStartsOnlyWhenItFitsTheCredit() {
        queue = new OutboundQueue(1000);
        enqueue(600, true);
        enqueue(500, true);
        assertTrue(queue.hasSendable());
        SentPacket p = write(1178);
        assertEquals(1, p.fragmentCount, "the second message would exceed the credit");
        assertTrue(queue.flowBlocked());
        assertFalse(queue.hasSendable());
        queue.onMaxData(1100);
        assertTrue(queue.hasSendable());
        assertEquals(1, write(1178).fragmentCount);
        assertFalse(queue.hasUnsent());
    }

    @Test
    void lostFragmentsAreResentFirstAndAckedOnesSkipped() {
        queue = new OutboundQueue(1 << 20);
        enqueue(3000, true);
        SentPacket p1 = write(1178);
        SentPacket p2 = write(1178);
        SentPacket p3 = write(1178);
        assertEquals(3000, p1.lengths[0] + p2.lengths[0] + p3.lengths[0]);
        queue.onLost(p1);
        queue.onLost(p2);
        queue.onAcked(p2); // the "lost" p2 arrived after all
        SentPacket r = write(1178);
        assertEquals(1, r.fragmentCount);
        assertEquals(0, r.offsets[0], "p1's bytes again; p2's are skipped");
        assertEquals(p1.lengths[0], r.lengths[0]);
        assertEquals(p1.lengths[0], queue.retransmittedBytes());
        queue.onAcked(r);
        assertEquals(3000, queue.bufferedBytes());
        queue.onAcked(p3);
        assertEquals(0, queue.bufferedBytes());
        assertEquals(0, written.get(0).refCnt(), "released once fully acknowledged");
        assertTrue(queue.isDrained());
    }

    @Test
    void openMessagesAreLimited() {
        queue = new OutboundQueue(1 << 20, 3);
        for (int i = 0; i < 5; i++) {
            enqueue(10, true);
        }
        SentPacket p = write(1178);
        assertEquals(3, p.fragmentCount, "three messages may be open at the receiver");
        assertEquals(3, queue.openMessages());
        assertFalse(queue.hasSendable());
        // acknowledging message 1 does not help: message 0 may still hold it back at the receiver
        SentPacket only1 = log.append(0);
        only1.addFragment(p.messages[1], 0, 10);
        queue.onAcked(only1);
        assertEquals(3, queue.openMessages());
        assertFalse(queue.hasSendable());
        SentPacket only0 = log.append(0);
        only0.addFragment(p.messages[0], 0, 10);
        queue.onAcked(only0);
        assertEquals(1, queue.openMessages());
        assertTrue(queue.hasSendable());
        assertEquals(2, write(1178).fragmentCount);
    }

    @Test
    void zeroLengthMessagesAreSentAndAcked() {
        queue = new OutboundQueue(0);
        enqueue(0, false);
        enqueue(0, true);
        SentPacket p = write(1178);
        assertEquals(2, p.fragmentCount);
        queue.onAcked(p);
        assertTrue(queue.isDrained());
    }
}
