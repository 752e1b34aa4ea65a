package dev.rudp.fileclient;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.rudp.NativeTransport;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server on two event loops (two SO_REUSEPORT sockets on one address, {@code serve --loops 2}):
 * twenty clients, each on its own source port so the kernel spreads them over both sockets, upload
 * and download at once, every file intact by SHA-256 on both ends.
 */
@Timeout(240)
class ReusePortEndToEndTest {
    @TempDir
    Path tmp;

    @Test
    void twoLoopServerMovesTwentyConcurrentTransfersIntact() throws Exception {
        assumeTrue(NativeTransport.isEpoll(), "SO_REUSEPORT sockets need the epoll transport");
        try (TestServer s = TestServer.start(tmp.resolve("data"), c -> c.loops(2))) {
            // a generous connect timeout: twenty DTLS handshakes at once on a cold, shared machine
            ConcurrencyAndLimitsTest.roundTripsAtOnce(s, tmp, 20, 1L << 20, 300, 60_000, 200);
        }
    }
}
