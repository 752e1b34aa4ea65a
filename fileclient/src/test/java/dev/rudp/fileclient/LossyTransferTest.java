package dev.rudp.fileclient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rudp.fileclient.connection.CancelToken;
import dev.rudp.fileclient.connection.FileConnection;
import dev.rudp.fileclient.connection.TransferListener;
import dev.rudp.fileclient.connection.Transfers;
import dev.rudp.sim.Direction;
import dev.rudp.sim.ImpairmentHandler;
import dev.rudp.sim.ImpairmentProfile;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** put then get of a 200 MB file across 5% loss with reordering and duplication (the simulator beneath the client's codec). */
@Timeout(300)
class LossyTransferTest {
    @TempDir
    Path tmp;

    @Test
    void putAndGetSurviveLossAndReordering() throws Exception {
        ImpairmentProfile profile = ImpairmentProfile.builder().loss(0.05).reorder(0.05, 5).duplicate(0.01)
                .seed(42).build();
        Path local = TransferEndToEndTest.randomFile(tmp.resolve("f.bin"), 200L << 20, 77);
        String sha = Transfers.hashFile(local);
        String crc = TransferEndToEndTest.crc32c(local);
        ImpairmentHandler impairment = new ImpairmentHandler(profile, Direction.BOTH);
        try (TestServer s = TestServer.start(tmp.resolve("data"));
                FileConnection c = s.connect(10_000, impairment);
                Transfers t = new Transfers(c)) {
            c.login("alice", "secret-a".toCharArray());
            assertEquals(crc, t.upload(local, "f.bin", false, TransferListener.NONE, new CancelToken()).crc32c(),
                    "upload under " + profile);
            assertEquals(sha, Transfers.hashFile(s.home("alice").resolve("f.bin")));
            Path back = tmp.resolve("back.bin");
            assertEquals(crc, t.download("f.bin", back, false, TransferListener.NONE, new CancelToken()).crc32c(),
                    "download under " + profile);
            assertEquals(sha, Transfers.hashFile(back));
            assertTrue(impairment.stats().dropped() > 0, "the path was lossy: " + impairment.stats());
            assertTrue(c.stats().packetsLost() > 0 || c.stats().bytesRetransmitted() > 0, "losses were repaired: "
                    + c.stats());
        }
    }
}
