package dev.rudp.dtls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The transport BouncyCastle reads and writes through: blocking inbox, non-blocking mode, flight packing. */
@Timeout(30)
class PeerTransportTest {
    private static final InetSocketAddress PEER = new InetSocketAddress("127.0.0.1", 4433);

    private final List<byte[]> written = new ArrayList<>();
    private final PeerTransport transport = new PeerTransport(PEER, 100, 100, (peer, buf, off, len) -> {
        byte[] copy = new byte[len];
        System.arraycopy(buf, off, copy, 0, len);
        written.add(copy);
    });

    @Test
    void handshakeModeReadsTheInboxAndTimesOutWithMinusOne() throws Exception {
        assertTrue(transport.offer(new byte[] {1, 2, 3}));
        byte[] buf = new byte[transport.getReceiveLimit()];
        assertEquals(3, transport.receive(buf, 0, buf.length, 1000));
        assertEquals(-1, transport.receive(buf, 0, buf.length, 5), "an empty inbox times out");
    }

    @Test
    void inboxIsBounded() {
        for (int i = 0; i < PeerTransport.INBOX_CAPACITY; i++) {
            assertTrue(transport.offer(new byte[1]));
        }
        assertFalse(transport.offer(new byte[1]));
    }

    @Test
    void eventLoopModeNeverWaits() throws Exception {
        transport.enterEventLoopMode();
        byte[] buf = new byte[64];
        assertThrows(PeerTransport.Empty.class, () -> transport.receive(buf, 0, buf.length, 60_000));
        ByteBuf datagram = Unpooled.wrappedBuffer(new byte[] {9, 8, 7});
        try {
            transport.setCurrent(datagram);
            assertTrue(transport.getReceiveLimit() >= 3, "BouncyCastle sizes its record buffer from this");
            assertEquals(3, transport.receive(buf, 0, buf.length, 60_000));
            assertEquals(3, datagram.readableBytes(), "the datagram is read, not consumed");
            assertThrows(PeerTransport.Empty.class, () -> transport.receive(buf, 0, buf.length, 60_000));
        } finally {
            datagram.release();
        }
    }

    @Test
    void abortWakesABlockedHandshakeThread() throws Exception {
        CompletableFuture<Integer> blocked = CompletableFuture.supplyAsync(() -> {
            try {
                return transport.receive(new byte[64], 0, 64, 0);
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        });
        transport.abort();
        ExecutionException e = assertThrows(ExecutionException.class, () -> blocked.get(10, TimeUnit.SECONDS));
        assertInstanceOf(DtlsException.class, e.getCause().getCause());
        transport.send(new byte[] {1}, 0, 1);
        transport.flushFlight();
        assertTrue(written.isEmpty(), "nothing is sent after an abort");
    }

    @Test
    void aFlightIsPackedIntoDatagramsUpToTheSendLimit() throws Exception {
        transport.send(new byte[40], 0, 40);
        transport.send(new byte[40], 0, 40);
        assertTrue(written.isEmpty(), "records wait for the end of the flight");
        transport.send(new byte[30], 0, 30);
        assertEquals(1, written.size(), "the third record did not fit: the first two left together");
        assertEquals(80, written.get(0).length);
        transport.receive(new byte[100], 0, 100, 1); // BouncyCastle waits: the flight is complete
        assertEquals(2, written.size());
        assertArrayEquals(new byte[30], written.get(1));
    }

    @Test
    void closeSendsWhatIsPackedFirst() {
        transport.send(new byte[] {21, 2, 40}, 0, 3); // a fatal alert, then BouncyCastle closes
        transport.close();
        assertEquals(1, written.size());
        assertTrue(transport.isClosed());
    }

    @Test
    void afterTheHandshakeRecordsGoOutOneByOne() {
        transport.enterEventLoopMode();
        transport.send(new byte[10], 0, 10);
        transport.send(new byte[10], 0, 10);
        assertEquals(2, written.size());
    }
}
