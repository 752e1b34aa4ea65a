package dev.rudp.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rudp.RudpErrorCode;
import dev.rudp.wire.MessageFrame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class InboundAssemblerTest {
    private static final long MS = 1_000_000;

    private final List<ByteBuf> delivered = new ArrayList<>();
    private final List<Boolean> deliveredOrdered = new ArrayList<>();
    private final List<ByteBuf> packets = new ArrayList<>();
    private final List<ByteBuf> messages = new ArrayList<>();
    private InboundAssembler in = assembler(1 << 20, 1 << 22, 1 << 22, 100);

    private InboundAssembler assembler(long maxMessage, long window, long maxWindow, int maxPartial) {
        return new InboundAssembler(UnpooledByteBufAllocator.DEFAULT, maxMessage, window, maxWindow, maxPartial,
                (message, ordered) -> {
                    delivered.add(message);
                    deliveredOrdered.add(ordered);
                });
    }

    @AfterEach
    void releaseEverything() {
        in.releaseAll();
        for (ByteBuf b : delivered) {
            b.release();
        }
        for (ByteBuf b : packets) {
            assertEquals(1, b.refCnt(), "nothing still holds a packet: " + b);
            b.release();
        }
        for (ByteBuf b : messages) {
            b.release();
        }
    }

    private ByteBuf message(int length, long seed) {
        byte[] b = new byte[length];
        new Random(seed).nextBytes(b);
        ByteBuf m = Unpooled.wrappedBuffer(b);
        messages.add(m);
        return m;
    }

    /** Encodes a fragment as it would arrive in a packet and feeds it in. */
    private RudpErrorCode feed(boolean ordered, long id, ByteBuf message, int offset, int length) {
        return feed(ordered, id, message, offset, length, 0);
    }

    /** As {@link #feed}, in a receive buffer of {@code capacity} bytes (0: just large enough). */
    private RudpErrorCode feed(boolean ordered, long id, ByteBuf message, int offset, int length, int capacity) {
        ByteBuf packet = Unpooled.buffer();
        packets.add(packet);
        MessageFrame.encode(packet, ordered, id, message, offset, length);
        packet.capacity(capacity == 0 ? packet.writerIndex() : capacity);
        packet.skipBytes(1);
        MessageFrame f = new MessageFrame();
        assertTrue(f.decode(packet, ordered));
        return in.onFragment(f, 0);
    }

    private RudpErrorCode feedWhole(boolean ordered, long id, ByteBuf message) {
        return feed(ordered, id, message, 0, message.readableBytes());
    }

    private void assertDelivered(int index, ByteBuf expected) {
        assertEquals(ByteBufUtil.hexDump(expected), ByteBufUtil.hexDump(delivered.get(index)), "message " + index);
    }

    @Test
    void orderedMessagesAreDeliveredInIdOrder() {
        ByteBuf m0 = message(10, 0);
        ByteBuf m1 = message(20, 1);
        ByteBuf m2 = message(0, 2);
        assertNull(feedWhole(true, 2, m2));
        assertNull(feedWhole(true, 1, m1));
        assertTrue(delivered.isEmpty(), "held until message 0 arrives");
        assertEquals(20, in.bufferedBytes());
        assertNull(feedWhole(true, 0, m0));
        assertEquals(3, delivered.size());
        assertDelivered(0, m0);
        assertDelivered(1, m1);
        assertDelivered(2, m2);
        assertEquals(List.of(true, true, true), deliveredOrdered);
        assertEquals(0, in.bufferedBytes());
    }

    @Test
    void unorderedMessagesAreDeliveredWhenComplete() {
        ByteBuf m0 = message(10, 0);
        ByteBuf m5 = message(30, 5);
        assertNull(feedWhole(false, 5, m5));
        assertNull(feedWhole(false, 0, m0));
        assertEquals(2, delivered.size());
        assertDelivered(0, m5);
        assertDelivered(1, m0);
        assertEquals(List.of(false, false), deliveredOrdered);
    }

    @Test
    void orderedAndUnorderedIdsAreIndependent() {
        ByteBuf a = message(5, 1);
        ByteBuf b = message(6, 2);
        assertNull(feedWhole(false, 0, a));
        assertNull(feedWhole(true, 0, b));
        assertEquals(2, delivered.size());
    }

    @Test
    void duplicatesAreDroppedBeforeAndAfterDelivery() {
        ByteBuf m0 = message(100, 0);
        ByteBuf u0 = message(100, 1);
        assertNull(feed(true, 0, m0, 0, 50));
        assertNull(feed(true, 0, m0, 0, 50));
        assertNull(feed(true, 0, m0, 20, 30));
        assertNull(feed(true, 0, m0, 50, 50));
        assertNull(feed(true, 0, m0, 0, 100));
        assertNull(feedWhole(false, 0, u0));
        assertNull(feedWhole(false, 0, u0));
        assertNull(feed(false, 0, u0, 10, 10));
        assertEquals(2, delivered.size());
        assertDelivered(0, m0);
        assertDelivered(1, u0);
    }

    @Test
    void outOfOrderAndOverlappingFragmentsReassemble() {
        Random random = new Random(99);
        for (int id = 0; id < 50; id++) {
            int length = 1 + random.nextInt(5000);
            ByteBuf m = message(length, id);
            List<int[]> fragments = new ArrayList<>();
            for (int off = 0; off < length;) {
                int n = Math.min(length - off, 1 + random.nextInt(1500));
                fragments.add(new int[] {off, n});
                if (random.nextInt(4) == 0) {
                    int extra = Math.min(length - off, n + random.nextInt(200));
                    fragments.add(new int[] {off, extra}); // an overlapping retransmission, split differently
                }
                off += n;
            }
            Collections.shuffle(fragments, random);
            boolean ordered = id % 2 == 0;
            for (int[] f : fragments) {
                assertNull(feed(ordered, ordered ? id / 2 : id / 2, m, f[0], f[1]));
            }
            assertEquals(id + 1, delivered.size());
            assertDelivered(id, m);
        }
        assertEquals(0, in.bufferedBytes());
    }

    @Test
    void wholeSingleFragmentMessageIsASliceOfThePacket() {
        ByteBuf m = message(40, 7);
        assertNull(feedWhole(true, 1, m));
        ByteBuf packet = packets.get(0);
        assertEquals(2, packet.refCnt(), "the held message retains the packet");
        assertNull(feedWhole(true, 0, message(3, 8)));
        assertEquals(2, delivered.size());
        assertEquals(2, packet.refCnt(), "the delivered message still holds it");
        delivered.remove(1).release();
        assertEquals(1, packet.refCnt());
    }

    @Test
    void aSmallMessageInALargeReceiveBufferIsCopiedNotPinned() {
        ByteBuf m = message(1000, 9);
        assertNull(feed(true, 1, m, 0, 1000, 65_536));
        assertEquals(1, packets.get(0).refCnt(), "a held 1000-byte message must not keep 64 KiB alive");
        assertNull(feed(true, 0, message(3, 10), 0, 3, 65_536));
        assertEquals(2, delivered.size());
        assertDelivered(1, m);
    }

    @Test
    void tooLargeMessageIsAFlowControlError() {
        in = assembler(1000, 1 << 16, 1 << 16, 100);
        assertEquals(RudpErrorCode.FLOW_CONTROL_ERROR, feed(true, 0, message(1001, 0), 0, 10));
        assertNull(feedWhole(true, 0, message(1000, 1)));
    }

    @Test
    void exceedingTheAdvertisedCreditIsAFlowControlError() {
        in = assembler(1 << 20, 1000, 1000, 100);
        assertNull(feedWhole(false, 0, message(600, 0)));
        assertEquals(RudpErrorCode.FLOW_CONTROL_ERROR, feed(false, 1, message(401, 1), 0, 1));
        assertNull(feedWhole(false, 1, message(400, 2)), "exactly the credit is fine");
        assertEquals(RudpErrorCode.FLOW_CONTROL_ERROR, feed(false, 2, message(1, 3), 0, 1));
        // consuming returns credit only once a MAX_DATA goes out
        in.onConsumed(1000);
        assertTrue(in.updateDue(10 * MS, 100 * MS));
        assertEquals(2000, in.raiseMaxData(10 * MS));
        assertNull(feedWhole(false, 2, message(1000, 4)));
    }

    @Test
    void tooManyPartialMessagesIsAFlowControlError() {
        in = assembler(1 << 20, 1 << 16, 1 << 16, 3);
        ByteBuf m = message(100, 0);
        assertNull(feed(false, 0, m, 0, 10));
        assertNull(feed(false, 1, m, 0, 10));
        assertNull(feed(true, 0, m, 0, 10));
        assertEquals(RudpErrorCode.FLOW_CONTROL_ERROR, feed(true, 1, m, 0, 10));
    }

    @Test
    void changedMessageLengthIsAProtocolViolation() {
        assertNull(feed(true, 0, message(100, 0), 0, 10));
        assertEquals(RudpErrorCode.PROTOCOL_VIOLATION, feed(true, 0, message(101, 0), 10, 10));
    }

    @Test
    void releaseAllFreesPartialAndHeldMessages() {
        ByteBuf big = message(3000, 0);
        assertNull(feed(true, 1, big, 0, 1000)); // partial: copied into its own buffer
        assertNull(feedWhole(true, 2, message(10, 1))); // whole but held: a slice of its packet
        assertNull(feed(false, 0, big, 1000, 1000));
        assertEquals(2, packets.get(1).refCnt());
        in.releaseAll();
        assertEquals(0, in.bufferedBytes());
        assertEquals(1, packets.get(1).refCnt());
        assertTrue(delivered.isEmpty());
    }

    @Test
    void creditUpdateIsDueWhenHalfTheWindowIsConsumed() {
        in = assembler(1 << 20, 10_000, 80_000, 100);
        assertEquals(10_000, in.advertisedMaxData());
        assertNull(feedWhole(true, 0, message(9_000, 0)));
        in.onConsumed(4_999);
        assertFalse(in.updateDue(0, 100 * MS));
        in.onConsumed(1);
        assertTrue(in.updateDue(1_000 * MS, 100 * MS), "slow updates do not grow the window");
        assertEquals(10_000, in.window());
        assertEquals(15_000, in.raiseMaxData(1_000 * MS));
        assertFalse(in.updateDue(1_000 * MS, 100 * MS));
    }

    @Test
    void windowDoublesOncePerFastUpdate() {
        in = assembler(1 << 20, 10_000, 80_000, 100);
        in.raiseMaxData(0);
        assertNull(feedWhole(false, 0, message(10_000, 0)));
        in.onConsumed(5_000);
        long now = 50 * MS; // within two RTTs of the last update
        assertTrue(in.updateDue(now, 100 * MS));
        assertTrue(in.updateDue(now, 100 * MS), "asked again before the update went out (e.g. paced)");
        assertTrue(in.updateDue(now + MS, 100 * MS));
        assertEquals(20_000, in.window(), "one update grows the window once");
        assertEquals(25_000, in.raiseMaxData(now + MS));
        assertNull(feedWhole(false, 1, message(15_000, 1)));
        in.onConsumed(15_000);
        assertTrue(in.updateDue(now + 2 * MS, 100 * MS));
        assertEquals(40_000, in.window());
        long reserved = 25_000;
        long consumed = 20_000;
        for (int i = 0; i < 5; i++) {
            long max = in.raiseMaxData(now + 3 * MS);
            int n = (int) (max - reserved); // use all the credit, then consume everything
            assertNull(feedWhole(false, 2 + i, message(n, i)));
            reserved += n;
            in.onConsumed(reserved - consumed);
            consumed = reserved;
            assertTrue(in.updateDue(now + 3 * MS, 100 * MS));
        }
        assertEquals(80_000, in.window(), "capped at the maximum");
    }

    @Test
    void drainedReceiverUpdatesWhenTheLargestMessageMightNotFit() {
        // The sender started a 1000-byte message and now waits with one of 9500: 1000 + 9500 > 10000.
        in = assembler(1 << 20, 10_000, 10_000, 100);
        assertNull(feedWhole(true, 0, message(1_000, 0)));
        assertFalse(in.updateDue(0, 100 * MS), "not consumed yet");
        in.onConsumed(1_000);
        assertTrue(in.updateDue(0, 100 * MS), "half the window is not used, but the sender may be stuck");
        assertEquals(11_000, in.raiseMaxData(0));
        assertEquals(10_000, in.window(), "a drain update does not grow the window");
        assertFalse(in.updateDue(0, 100 * MS), "one update per drain");
        assertNull(feedWhole(true, 1, message(9_500, 1)));
    }

    @Test
    void smallMessagesAlreadyFitAfterADrainWhenTheLimitIsSmall() {
        in = assembler(1_000, 10_000, 10_000, 100);
        assertNull(feedWhole(true, 0, message(900, 0)));
        in.onConsumed(900);
        assertFalse(in.updateDue(0, 100 * MS), "9100 bytes of credit fit any 1000-byte message");
    }
}
