package dev.rudp.fileclient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rudp.fileclient.connection.CancelToken;
import dev.rudp.fileclient.connection.ClientException;
import dev.rudp.fileclient.connection.ExitCode;
import dev.rudp.fileclient.connection.FileConnection;
import dev.rudp.fileclient.connection.TransferListener;
import dev.rudp.fileclient.connection.Transfers;
import dev.rudp.fileserver.protocol.Op;
import dev.rudp.fileserver.storage.KnownDigests;
import dev.rudp.fileserver.storage.local.StoredDigest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Uploads and downloads over real loopback sockets (200 MB round trip), with hashes checked on both sides. */
@Timeout(120)
class TransferEndToEndTest {
    @TempDir
    Path tmp;

    /** The CRC32C of a local file, 8 lower-case hex digits (what a transfer checked by it names). */
    static String crc32c(Path p) throws Exception {
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        try (var in = Files.newInputStream(p)) {
            byte[] buf = new byte[1 << 16];
            for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                crc.update(buf, 0, n);
            }
        }
        return String.format("%08x", crc.getValue());
    }

    static Path randomFile(Path p, long size, long seed) throws Exception {
        Random r = new Random(seed);
        byte[] buf = new byte[1 << 20];
        try (var out = Files.newOutputStream(p)) {
            for (long left = size; left > 0; left -= buf.length) {
                r.nextBytes(buf);
                out.write(buf, 0, (int) Math.min(buf.length, left));
            }
        }
        return p;
    }

    @Test
    void putThenGetAreCheckedByTheCrc32cAndChecksumComputesTheSha256WhenAsked() throws Exception {
        Path local = randomFile(tmp.resolve("big.bin"), 200L << 20, 1);
        String sha = Transfers.hashFile(local);
        String crc = crc32c(local);
        try (TestServer s = TestServer.start(tmp.resolve("data"));
                FileConnection c = s.login("alice", "secret-a");
                Transfers t = new Transfers(c)) {
            Transfers.Result up = t.upload(local, "big.bin", false, TransferListener.NONE, new CancelToken());
            assertEquals(crc, up.crc32c(), "checked by the CRC32C on both sides");
            assertEquals("", up.sha256(), "the server left the SHA-256 for when it is asked for");
            assertEquals("crc32c " + crc, up.digestShown());
            assertEquals(sha, Transfers.hashFile(s.home("alice").resolve("big.bin")));
            Path back = tmp.resolve("back.bin");
            Transfers.Result down = t.download("big.bin", back, false, TransferListener.NONE, new CancelToken());
            assertEquals(crc, down.crc32c());
            assertEquals(sha, Transfers.hashFile(back));
            assertFalse(Files.exists(tmp.resolve("back.bin.part")));

            assertEquals(sha, c.call(Op.CHECKSUM, List.of("big.bin")).lines().get(0), "checksum is the SHA-256");
            Transfers.Result again = t.download("big.bin", back, false, TransferListener.NONE, new CancelToken());
            if (StoredDigest.lookup(s.home("alice").resolve("big.bin"), null, -1) != null) {
                assertEquals(sha, again.sha256(), "once computed, the SHA-256 is recorded and named");
                assertEquals("sha256 " + sha, again.digestShown());
            }
            assertEquals(crc, again.crc32c());
        }
    }

    @Test
    void resumeOntoAForeignPartIsCaughtByTheWholeFileHash() throws Exception {
        try (TestServer s = TestServer.start(tmp.resolve("data"));
                FileConnection c = s.login("alice", "secret-a");
                Transfers t = new Transfers(c)) {
            randomFile(s.home("alice").resolve("r.bin"), 4L << 20, 10);
            randomFile(tmp.resolve("r.bin.part"), 1L << 20, 11); // not a prefix of r.bin
            ClientException e = assertThrows(ClientException.class, () -> t.download("r.bin", tmp.resolve("r.bin"),
                    true, TransferListener.NONE, new CancelToken()));
            assertEquals(ExitCode.PARTIAL, e.code());
            assertTrue(e.getMessage().startsWith("checksum mismatch: r.bin"), e.getMessage());
            assertFalse(Files.exists(tmp.resolve("r.bin")));
            assertFalse(Files.exists(tmp.resolve("r.bin.part")), "the bad part is discarded");

            Path v1 = randomFile(tmp.resolve("v1.bin"), 8L << 20, 12);
            Path v2 = randomFile(tmp.resolve("v2.bin"), 8L << 20, 13);
            CancelToken cancel = new CancelToken();
            assertThrows(ClientException.class, () -> t.upload(v1, "u.bin", false, new TransferListener() {
                @Override
                public void progress(long done, long total) {
                    if (done >= total / 2) {
                        cancel.cancel();
                    }
                }
            }, cancel));
            ClientException up = assertThrows(ClientException.class,
                    () -> t.upload(v2, "u.bin", true, TransferListener.NONE, new CancelToken()));
            assertEquals(ExitCode.PARTIAL, up.code());
            assertTrue(up.getMessage().startsWith("checksum mismatch: u.bin"), up.getMessage());
            assertFalse(Files.exists(s.home("alice").resolve("u.bin")), "nothing half-right lands");
            assertEquals(crc32c(v2), t.upload(v2, "u.bin", true, TransferListener.NONE, new CancelToken()).crc32c(),
                    "after the mismatch the partial is gone and the next reput starts from zero");
            assertEquals(Transfers.hashFile(v2), Transfers.hashFile(s.home("alice").resolve("u.bin")));
        }
    }

    @Test
    void downloadsSendTheStoredSha256OnlyWhileTheFileIsUnchanged() throws Exception {
        Path local = randomFile(tmp.resolve("s.bin"), 4L << 20, 20);
        String sha = Transfers.hashFile(local);
        try (TestServer s = TestServer.start(tmp.resolve("data"));
                FileConnection c = s.login("alice", "secret-a");
                Transfers t = new Transfers(c)) {
            t.upload(local, "s.bin", false, TransferListener.NONE, new CancelToken());
            Path onServer = s.home("alice").resolve("s.bin");
            // the upload left the SHA-256 to the first checksum, which records it
            assertEquals(sha, c.call(Op.CHECKSUM, List.of("s.bin")).lines().get(0));
            String stored = StoredDigest.lookup(onServer, null, -1);
            if (stored == null) {
                // a file system without user attributes: nothing stored, every download hashes
                assertEquals(sha, t.download("s.bin", tmp.resolve("a.bin"), false, TransferListener.NONE,
                        new CancelToken()).sha256());
                return;
            }
            assertEquals(sha, stored, "checksum stored the digest it computed");
            Files.write(tmp.resolve("b.bin.part"), Arrays.copyOf(Files.readAllBytes(local), 1 << 20));
            assertEquals(sha, t.download("s.bin", tmp.resolve("b.bin"), true, TransferListener.NONE,
                    new CancelToken()).sha256(), "resumed from the stored digest");
            assertEquals(sha, Transfers.hashFile(tmp.resolve("b.bin")));

            // A stored digest the content does not have is what the server sends: the client's own hash
            // catches it, and nothing half-right lands.
            StoredDigest.store(onServer, "ab".repeat(32));
            ClientException e = assertThrows(ClientException.class, () -> t.download("s.bin", tmp.resolve("c.bin"),
                    false, TransferListener.NONE, new CancelToken()));
            assertTrue(e.getMessage().startsWith("checksum mismatch: s.bin"), e.getMessage());
            assertFalse(Files.exists(tmp.resolve("c.bin")));

            // Once the file's time moves (any write does that) the stored digest is ignored and hashed anew.
            Files.setLastModifiedTime(onServer, FileTime.fromMillis(Files.getLastModifiedTime(onServer).toMillis() + 1000));
            assertEquals(sha, t.download("s.bin", tmp.resolve("c.bin"), false, TransferListener.NONE,
                    new CancelToken()).sha256());
        }
    }

    @Test
    void aWholeFileDownloadIsCheckedAgainstTheCrc32cItsUploadRecorded() throws Exception {
        Path local = randomFile(tmp.resolve("r.bin"), 3L << 20, 21);
        String sha = Transfers.hashFile(local);
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(Files.readAllBytes(local));
        String crc32c = String.format("%08x", crc.getValue());
        try (TestServer s = TestServer.start(tmp.resolve("data"));
                FileConnection c = s.login("alice", "secret-a");
                Transfers t = new Transfers(c)) {
            Transfers.Result up = t.upload(local, "r.bin", false, TransferListener.NONE, new CancelToken());
            assertTrue(up.byCrc32c(), "the local store checks an upload by its CRC32C");
            assertEquals(crc32c, up.crc32c());
            Path onServer = s.home("alice").resolve("r.bin");
            KnownDigests known = StoredDigest.lookupAll(onServer, null, -1);
            org.junit.jupiter.api.Assumptions.assumeTrue(known != null, "no user attributes here: nothing recorded");
            assertEquals(new KnownDigests(null, crc32c), known, "the upload recorded its CRC32C alone");
            Transfers.Result down = t.download("r.bin", tmp.resolve("a.bin"), false, TransferListener.NONE,
                    new CancelToken());
            assertTrue(down.byCrc32c());
            assertEquals("", down.sha256(), "no SHA-256 is computed for a client that needs none");
            assertEquals(known, StoredDigest.lookupAll(onServer, null, -1));
            assertEquals(sha, Transfers.hashFile(tmp.resolve("a.bin")));
            Files.write(tmp.resolve("e.bin.part"), Arrays.copyOf(Files.readAllBytes(local), 1 << 20));
            Transfers.Result resumed = t.download("r.bin", tmp.resolve("e.bin"), true, TransferListener.NONE,
                    new CancelToken());
            assertEquals(crc32c, resumed.crc32c(), "a resumed download is checked by the recorded CRC32C too");
            assertEquals(sha, Transfers.hashFile(tmp.resolve("e.bin")));
            assertEquals(known, StoredDigest.lookupAll(onServer, null, -1), "and costs the server no hashing");
            assertEquals(sha, c.call(Op.CHECKSUM, List.of("r.bin")).lines().get(0));
            assertEquals(new KnownDigests(sha, crc32c), StoredDigest.lookupAll(onServer, null, -1),
                    "checksum computed the SHA-256 and recorded it beside the CRC32C");
            Transfers.Result named = t.download("r.bin", tmp.resolve("a.bin"), false, TransferListener.NONE,
                    new CancelToken());
            assertTrue(named.byCrc32c());
            assertEquals(sha, named.sha256(), "the summary names the recorded SHA-256");

            // The CRC32C is what a whole-file download is checked by: a wrong one alone fails it.
            StoredDigest.store(onServer, sha, "00000000");
            ClientException e = assertThrows(ClientException.class, () -> t.download("r.bin", tmp.resolve("b.bin"),
                    false, TransferListener.NONE, new CancelToken()));
            assertTrue(e.getMessage().startsWith("checksum mismatch: r.bin"), e.getMessage());
            assertFalse(Files.exists(tmp.resolve("b.bin")));
            Files.write(tmp.resolve("f.bin.part"), Arrays.copyOf(Files.readAllBytes(local), 1 << 20));
            e = assertThrows(ClientException.class, () -> t.download("r.bin", tmp.resolve("f.bin"), true,
                    TransferListener.NONE, new CancelToken()));
            assertTrue(e.getMessage().startsWith("checksum mismatch: r.bin"), "resumed too: " + e.getMessage());
            assertFalse(Files.exists(tmp.resolve("f.bin")));

            // A file that rotted on the server since its upload (same size and time, so the record still
            // holds) is caught by the CRC32C, as it was by the SHA-256.
            StoredDigest.store(onServer, sha, crc32c);
            FileTime time = Files.getLastModifiedTime(onServer);
            try (var ch = java.nio.channels.FileChannel.open(onServer, java.nio.file.StandardOpenOption.WRITE,
                    java.nio.file.StandardOpenOption.READ)) {
                java.nio.ByteBuffer one = java.nio.ByteBuffer.allocate(1);
                ch.read(one, 1_000_000);
                one.put(0, (byte) (one.get(0) ^ 0x10)).rewind();
                ch.write(one, 1_000_000);
            }
            Files.setLastModifiedTime(onServer, time);
            assertEquals(new KnownDigests(sha, crc32c), StoredDigest.lookupAll(onServer, null, -1));
            e = assertThrows(ClientException.class, () -> t.download("r.bin", tmp.resolve("c.bin"), false,
                    TransferListener.NONE, new CancelToken()));
            assertTrue(e.getMessage().startsWith("checksum mismatch: r.bin"), e.getMessage());
            assertFalse(Files.exists(tmp.resolve("c.bin")));

            // A file recorded with its SHA-256 alone (by an older server) is checked by the SHA-256.
            Files.copy(local, onServer, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            StoredDigest.store(onServer, sha);
            Transfers.Result old = t.download("r.bin", tmp.resolve("d.bin"), false, TransferListener.NONE,
                    new CancelToken());
            assertFalse(old.byCrc32c());
            assertEquals(sha, old.sha256());
            assertEquals(sha, Transfers.hashFile(tmp.resolve("d.bin")));
        }
    }

    @Test
    void emptyFilesRoundTrip() throws Exception {
        Path empty = Files.createFile(tmp.resolve("empty"));
        try (TestServer s = TestServer.start(tmp.resolve("data"));
                FileConnection c = s.login("alice", "secret-a");
                Transfers t = new Transfers(c)) {
            assertEquals("00000000", t.upload(empty, "empty", false, TransferListener.NONE, new CancelToken()).crc32c());
            assertEquals(0, Files.size(s.home("alice").resolve("empty")));
            assertEquals("00000000", t.download("empty", tmp.resolve("back"), false, TransferListener.NONE,
                    new CancelToken()).crc32c());
            assertEquals(0, Files.size(tmp.resolve("back")));
            assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                    c.call(Op.CHECKSUM, List.of("empty")).lines().get(0));
        }
    }

    @Test
    void cancelledUploadKeepsTheOldVersionAndReputCompletesIt() throws Exception {
        Path local = randomFile(tmp.resolve("v2.bin"), 20L << 20, 2);
        try (TestServer s = TestServer.start(tmp.resolve("data"))) {
            Path old = randomFile(s.home("alice").resolve("doc.bin"), 1 << 20, 3);
            String oldSha = Transfers.hashFile(old);
            CancelToken cancel = new CancelToken();
            try (FileConnection c = s.login("alice", "secret-a"); Transfers t = new Transfers(c)) {
                ClientException e = assertThrows(ClientException.class, () -> t.upload(local, "doc.bin", false,
                        new TransferListener() {
                            @Override
                            public void progress(long done, long total) {
                                if (done >= total / 2) {
                                    cancel.cancel();
                                }
                            }
                        }, cancel));
                assertEquals(ExitCode.INTERRUPTED, e.code());
                assertEquals(oldSha, Transfers.hashFile(old), "the old version must be intact");
            }
            try (FileConnection c = s.login("alice", "secret-a"); Transfers t = new Transfers(c)) {
                long[] start = {-1};
                Transfers.Result r = t.upload(local, "doc.bin", true, new TransferListener() {
                    @Override
                    public void started(String name, long from, long total) {
                        start[0] = from;
                    }
                }, new CancelToken());
                assertTrue(start[0] > 0, "reput must continue where the upload stopped, started at " + start[0]);
                assertEquals(crc32c(local), r.crc32c());
                assertEquals(Transfers.hashFile(local), Transfers.hashFile(old));
            }
        }
    }

    @Test
    void killedClientMidUploadLeavesOldVersionIntact() throws Exception {
        Path local = randomFile(tmp.resolve("v2.bin"), 20L << 20, 4);
        try (TestServer s = TestServer.start(tmp.resolve("data"))) {
            Path old = randomFile(s.home("alice").resolve("doc.bin"), 1 << 20, 5);
            String oldSha = Transfers.hashFile(old);
            FileConnection c = s.login("alice", "secret-a");
            Transfers t = new Transfers(c);
            CountDownLatch half = new CountDownLatch(1);
            assertThrows(ClientException.class, () -> t.upload(local, "doc.bin", false, new TransferListener() {
                @Override
                public void progress(long done, long total) {
                    if (done >= total / 2 && half.getCount() > 0) {
                        half.countDown();
                        c.close();
                    }
                }
            }, new CancelToken()));
            t.close();
            assertEquals(oldSha, Transfers.hashFile(old));
            try (FileConnection c2 = s.login("alice", "secret-a"); Transfers t2 = new Transfers(c2)) {
                Transfers.Result r = t2.upload(local, "doc.bin", true, TransferListener.NONE, new CancelToken());
                assertEquals(crc32c(local), r.crc32c());
                assertEquals(Transfers.hashFile(local), Transfers.hashFile(old));
            }
        }
    }

    @Test
    void cancelledDownloadResumesWithReget() throws Exception {
        try (TestServer s = TestServer.start(tmp.resolve("data"))) {
            Path remote = randomFile(s.home("alice").resolve("r.bin"), 20L << 20, 6);
            Path local = tmp.resolve("r.bin");
            CancelToken cancel = new CancelToken();
            try (FileConnection c = s.login("alice", "secret-a"); Transfers t = new Transfers(c)) {
                ClientException e = assertThrows(ClientException.class, () -> t.download("r.bin", local, false,
                        new TransferListener() {
                            @Override
                            public void progress(long done, long total) {
                                if (done >= total / 3) {
                                    cancel.cancel();
                                }
                            }
                        }, cancel));
                assertEquals(ExitCode.INTERRUPTED, e.code());
                assertFalse(Files.exists(local));
                long[] start = {-1};
                Transfers.Result r = t.download("r.bin", local, true, new TransferListener() {
                    @Override
                    public void started(String name, long from, long total) {
                        start[0] = from;
                    }
                }, new CancelToken());
                assertTrue(start[0] > 0);
                assertEquals(Transfers.hashFile(remote), r.sha256());
                assertEquals(Transfers.hashFile(remote), Transfers.hashFile(local));
            }
        }
    }
}
