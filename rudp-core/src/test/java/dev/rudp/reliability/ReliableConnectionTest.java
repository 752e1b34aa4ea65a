package dev.rudp.reliability;

import static dev.rudp.reliability.Sim.MS;
import static dev.rudp.reliability.Sim.S;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rudp.RudpErrorCode;
import dev.rudp.RudpException;
import dev.rudp.wire.AckFrame;
import dev.rudp.wire.CloseFrame;
import dev.rudp.wire.FrameType;
import dev.rudp.wire.MaxDataFrame;
import dev.rudp.wire.MessageFrame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** One engine driven by hand: API contracts, hostile input, packet sizes. */
class ReliableConnectionTest {
    private final List<ByteBuf> messages = new ArrayList<>();
    private final List<RudpErrorCode> closed = new ArrayList<>();

    private ReliableConnection engine(EngineConfig config) {
        return new ReliableConnection(config, new NewReno(config.maxDatagramSize()), UnpooledByteBufAllocator.DEFAULT,
                new ReliableConnection.Listener() {
                    @Override
                    public void onMessage(ByteBuf message, boolean ordered) {
                        messages.add(message);
                    }

                    @Override
                    public void onClosed(RudpErrorCode code, String reason, boolean byPeer) {
                        closed.add(code);
                    }
                }, 0);
    }

    private static EngineConfig config() {
        return Sim.config(1 << 16, 1 << 20, 30 * S, 5 * S);
    }

    private static void feed(ReliableConnection c, long pn, ByteBuf frames, long now) {
        try {
            c.onPacket(pn, frames, frames.readableBytes() + Sim.OVERHEAD, now);
        } finally {
            frames.release();
        }
    }

    @Test
    void oversizedMessageIsRefusedAndReleased() throws Exception {
        ReliableConnection c = engine(config());
        ByteBuf big = Unpooled.buffer().writeZero((1 << 16) + 1); // over the peer's initial credit
        RudpException e = assertThrows(RudpException.class, () -> c.send(big, true));
        assertEquals(0, big.refCnt());
        assertTrue(e.getMessage() != null);
        ByteBuf ok = Unpooled.buffer().writeZero(1 << 16);
        c.send(ok, true);
        assertEquals(1 << 16, c.bufferedBytes());
        c.abort(RudpErrorCode.ENDPOINT_CLOSED, "test", 0);
        assertEquals(0, ok.refCnt());
    }

    @Test
    void sendAfterCloseIsRefusedAndReleased() {
        ReliableConnection c = engine(config());
        c.close(RudpErrorCode.APPLICATION_ERROR, "bye", 0);
        ByteBuf m = Unpooled.buffer().writeByte(1);
        assertThrows(RudpException.class, () -> c.send(m, false));
        assertEquals(0, m.refCnt());
        assertEquals(List.of(), closed, "an immediate close notifies once the closing period ends");
    }

    @Test
    void ackOfAnUnsentPacketClosesWithProtocolViolationAndTellsThePeer() {
        ReliableConnection c = engine(config());
        ByteBuf frames = Unpooled.buffer();
        AckFrame ack = new AckFrame().reset(0);
        ack.addRange(5, 5);
        ack.encode(frames, 1);
        feed(c, 0, frames, MS);
        assertEquals(List.of(RudpErrorCode.PROTOCOL_VIOLATION), closed);
        assertEquals(ReliableConnection.State.CLOSING, c.state());
        ByteBuf out = Unpooled.buffer();
        try {
            assertEquals(ReliableConnection.SENT, c.writePacket(out, Sim.ROOM, Sim.OVERHEAD, MS));
            boolean sawClose = false;
            while (out.isReadable()) {
                FrameType t = FrameType.of(out.readUnsignedByte());
                if (t == FrameType.CLOSE) {
                    CloseFrame f = CloseFrame.decode(out);
                    assertEquals(RudpErrorCode.PROTOCOL_VIOLATION.code(), f.code());
                    sawClose = true;
                } else if (t == FrameType.ACK) {
                    assertTrue(new AckFrame().decode(out));
                }
            }
            assertTrue(sawClose);
        } finally {
            out.release();
        }
        c.onTimeout(c.nextTimeout());
        c.onTimeout(c.nextTimeout());
        c.onTimeout(c.nextTimeout());
        assertEquals(ReliableConnection.State.CLOSED, c.state());
        assertEquals(1, closed.size(), "notified exactly once");
    }

    @Test
    void packetsUnderProbesAndKeepalivesStayWithinTheirRoom() throws Exception {
        ReliableConnection c = engine(Sim.config(1 << 16, 1 << 16, 30 * S, 1 * S));
        c.send(Unpooled.buffer().writeZero(60_000), true);
        long now = 0;
        int checked = 0;
        for (int round = 0; round < 20; round++) {
            c.onTimeout(now);
            while (true) {
                ByteBuf out = Unpooled.buffer(Sim.ROOM);
                try {
                    int status = c.writePacket(out, Sim.ROOM, Sim.OVERHEAD, now);
                    assertTrue(out.readableBytes() <= Sim.ROOM, "packet of " + out.readableBytes() + " bytes at " + now);
                    if (status != ReliableConnection.SENT) {
                        break;
                    }
                    checked++;
                } finally {
                    out.release();
                }
            }
            now = Math.max(now + 1, c.nextTimeout()); // nothing ever acknowledged: keepalives and probes
        }
        assertTrue(checked > 10);
        c.abort(RudpErrorCode.ENDPOINT_CLOSED, "test", now);
    }

    /** Hostile but well-formed frames, and garbage: nothing throws, nothing leaks. */
    @Test
    void randomFramesNeverThrow() {
        Random random = new Random(77);
        for (int conn = 0; conn < 40; conn++) {
            ReliableConnection c = engine(Sim.config(4096, 8192, 30 * S, 5 * S));
            long now = 0;
            for (int p = 0; p < 200 && c.state() != ReliableConnection.State.CLOSED; p++) {
                now += random.nextInt(5) * MS;
                ByteBuf frames = Unpooled.buffer();
                int n = 1 + random.nextInt(4);
                for (int f = 0; f < n; f++) {
                    writeRandomFrame(random, frames);
                }
                long pn = random.nextInt(4) == 0 ? random.nextInt(1000) : p;
                feed(c, pn, frames, now);
                if (random.nextInt(3) == 0) {
                    c.onTimeout(now);
                }
                ByteBuf out = Unpooled.buffer(Sim.ROOM);
                try {
                    c.writePacket(out, Sim.ROOM, Sim.OVERHEAD, now);
                    assertTrue(out.readableBytes() <= Sim.ROOM);
                } finally {
                    out.release();
                }
            }
            c.abort(RudpErrorCode.ENDPOINT_CLOSED, "test", now);
            assertTrue(closed.size() == conn + 1, "closed once per connection");
        }
        for (ByteBuf m : messages) {
            m.release();
        }
    }

    private static void writeRandomFrame(Random random, ByteBuf out) {
        switch (random.nextInt(8)) {
            case 0 -> out.writeByte(FrameType.PING.code());
            case 1 -> out.writeByte(FrameType.PADDING.code());
            case 2 -> {
                AckFrame ack = new AckFrame().reset(random.nextInt(100_000));
                long high = random.nextInt(50);
                ack.addRange(Math.max(0, high - random.nextInt(5)), high);
                ack.encode(out, 1);
            }
            case 3, 4 -> {
                int len = random.nextInt(3000);
                ByteBuf msg = Unpooled.buffer(len).writeZero(len);
                try {
                    int off = len == 0 ? 0 : random.nextInt(len);
                    int n = len == 0 ? 0 : 1 + random.nextInt(Math.min(len - off, 900));
                    MessageFrame.encode(out, random.nextBoolean(), random.nextInt(20), msg, off, n);
                } finally {
                    msg.release();
                }
            }
            case 5 -> MaxDataFrame.encode(out, random.nextInt(1 << 20));
            case 6 -> {
                if (random.nextInt(10) == 0) {
                    new CloseFrame(random.nextInt(10), "x").encode(out);
                } else {
                    out.writeByte(FrameType.PING.code());
                }
            }
            default -> {
                byte[] junk = new byte[1 + random.nextInt(10)];
                random.nextBytes(junk);
                out.writeBytes(junk);
            }
        }
    }

    private record Packet(long pn, byte[] frames) {
    }

    /** Everything {@code c} wants to send now. */
    private static List<Packet> drain(ReliableConnection c, long now) {
        List<Packet> list = new ArrayList<>();
        while (true) {
            long pn = c.nextPacketNumber();
            ByteBuf out = Unpooled.buffer(Sim.ROOM);
            try {
                if (c.writePacket(out, Sim.ROOM, Sim.OVERHEAD, now) != ReliableConnection.SENT) {
                    return list;
                }
                list.add(new Packet(pn, io.netty.buffer.ByteBufUtil.getBytes(out)));
            } finally {
                out.release();
            }
        }
    }

    private static void deliver(ReliableConnection to, Packet p, long now) {
        feed(to, p.pn, Unpooled.wrappedBuffer(p.frames.clone()), now);
    }

    /**
     * A packet declared lost by reordering whose retransmission is still queued (the window or
     * the pacer held it) arrives after all: the queued copy is stale. A finishing connection must
     * still see that everything was delivered and close gracefully.
     */
    @Test
    void spuriousLossWhileFinishingStillClosesGracefully() throws Exception {
        List<RudpErrorCode> closedA = new ArrayList<>();
        EngineConfig cfg = config();
        ReliableConnection a = new ReliableConnection(cfg, new NewReno(Sim.DATAGRAM), UnpooledByteBufAllocator.DEFAULT,
                new ReliableConnection.Listener() {
                    @Override
                    public void onMessage(ByteBuf message, boolean ordered) {
                        message.release();
                    }

                    @Override
                    public void onClosed(RudpErrorCode code, String reason, boolean byPeer) {
                        closedA.add(code);
                    }
                }, 0);
        ReliableConnection b = engine(cfg);
        ByteBuf data = Unpooled.buffer().writeZero(5 * 1100);
        a.send(data, true);
        a.close(RudpErrorCode.NO_ERROR, "", 0);
        List<Packet> sent = drain(a, 0);
        assertEquals(5, sent.size());
        long now = 20 * MS;
        for (int i = 1; i < 5; i++) {
            deliver(b, sent.get(i), now); // packet 0 is held back by the network
        }
        List<Packet> acks = drain(b, now);
        now = 40 * MS;
        for (Packet p : acks) {
            deliver(a, p, now); // a declares packet 0 lost and queues its fragment again
        }
        assertEquals(1, a.stats().packetsLost());
        deliver(b, sent.get(0), now); // ... but it arrives after all, before a could resend
        List<Packet> acks2 = drain(b, now);
        now = 60 * MS;
        for (Packet p : acks2) {
            deliver(a, p, now);
        }
        assertEquals(1, a.stats().spuriousRetransmits());
        assertEquals(0, data.refCnt(), "the message is fully acknowledged");
        drain(a, now);
        long deadline = a.nextTimeout();
        assertTrue(deadline < 10 * S, "something to do before the idle timeout, at " + deadline / MS + " ms");
        assertEquals(ReliableConnection.State.CLOSING, a.state(), "a sends its CLOSE at once");
        assertEquals(List.of(), closedA);
        a.abort(RudpErrorCode.ENDPOINT_CLOSED, "test", now);
        b.abort(RudpErrorCode.ENDPOINT_CLOSED, "test", now);
        for (ByteBuf m : messages) {
            m.release();
        }
    }

    /** The packet number comes straight from the datagram; ACK frames can only carry 0 to 2^62 - 1. */
    @Test
    void packetNumbersAnAckCannotCarryAreDropped() {
        ReliableConnection c = engine(config());
        feed(c, -1, Unpooled.buffer().writeByte(FrameType.PING.code()), MS);
        feed(c, 1L << 62, Unpooled.buffer().writeByte(FrameType.PING.code()), MS);
        feed(c, Long.MAX_VALUE, Unpooled.buffer().writeByte(FrameType.PING.code()), MS);
        feed(c, 3, Unpooled.buffer().writeByte(FrameType.PING.code()), MS);
        feed(c, 4, Unpooled.buffer().writeByte(FrameType.PING.code()), MS);
        assertEquals(3, c.stats().invalidPackets());
        assertEquals(2, c.stats().packetsReceived());
        ByteBuf out = Unpooled.buffer();
        try {
            assertEquals(ReliableConnection.SENT, c.writePacket(out, Sim.ROOM, Sim.OVERHEAD, MS));
            assertEquals(FrameType.ACK.code(), out.readUnsignedByte());
            AckFrame ack = new AckFrame();
            assertTrue(ack.decode(out));
            assertEquals(1, ack.rangeCount());
            assertEquals(3, ack.low(0));
            assertEquals(4, ack.high(0));
        } finally {
            out.release();
        }
        c.abort(RudpErrorCode.ENDPOINT_CLOSED, "test", MS);
    }

    @Test
    void emptyOrUnknownPacketsAreCountedAsInvalid() {
        ReliableConnection c = engine(config());
        feed(c, 0, Unpooled.buffer(), MS);
        feed(c, 1, Unpooled.buffer().writeByte(0x08), MS);
        feed(c, 2, Unpooled.buffer().writeByte(FrameType.MAX_DATA.code()), MS);
        feed(c, 2, Unpooled.buffer().writeByte(FrameType.ACK_FREQUENCY.code()).writeByte(0), MS);
        assertEquals(4, c.stats().invalidPackets());
        assertEquals(0, c.stats().packetsReceived());
        assertFalse(c.state() != ReliableConnection.State.OPEN);
        // a malformed packet leaves its number free: the real one is still accepted
        feed(c, 2, Unpooled.buffer().writeByte(FrameType.PING.code()), MS);
        assertEquals(1, c.stats().packetsReceived());
        feed(c, 2, Unpooled.buffer().writeByte(FrameType.PING.code()), MS);
        assertEquals(1, c.stats().duplicatePackets());
        c.abort(RudpErrorCode.ENDPOINT_CLOSED, "test", MS);
    }

    @Test
    void aMessageStalledInReassemblyClosesTheConnection() {
        ReliableConnection c = engine(Sim.config(1 << 16, 1 << 20, 10 * S, 0));
        ByteBuf message = Unpooled.buffer().writeZero(3000);
        ByteBuf frames = Unpooled.buffer();
        MessageFrame.encode(frames, true, 0, message, 0, 1000); // first third only, never the rest
        message.release();
        feed(c, 0, frames, 0);
        long now = 0;
        // The peer keeps the connection alive with PINGs, so only the reassembly bound can end it.
        for (long pn = 1; closed.isEmpty() && pn < 100; pn++) {
            now += S;
            feed(c, pn, Unpooled.buffer().writeByte(FrameType.PING.code()), now);
            c.onTimeout(now);
        }
        assertEquals(List.of(RudpErrorCode.PROTOCOL_VIOLATION), closed);
        assertTrue(now > 10 * S && now <= 12 * S, "closed at " + now / MS + " ms");
    }

    @Test
    void aSideThatOnlyAcknowledgesAsksForAnAcknowledgementNowAndThen() {
        ReliableConnection c = engine(config());
        int eliciting = 0;
        for (long pn = 0; pn < 200; pn++) {
            feed(c, pn, Unpooled.buffer().writeByte(FrameType.PING.code()), pn * MS);
            c.onReadBatchEnd();
            ByteBuf out = Unpooled.buffer();
            assertEquals(ReliableConnection.SENT, c.writePacket(out, 1400, Sim.OVERHEAD, pn * MS));
            assertEquals(FrameType.ACK.code(), out.readByte());
            assertTrue(new AckFrame().decode(out));
            if (out.isReadable() && out.readByte() == FrameType.PING.code()) {
                eliciting++;
            }
            out.release();
        }
        assertEquals(200 / ReliableConnection.ACK_ONLY_PING_INTERVAL, eliciting);
    }
}
