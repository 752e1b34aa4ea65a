package dev.rudp.fileserver.storage.s3;

import static dev.rudp.fileserver.storage.s3.S3StoreTest.bytes;
import static dev.rudp.fileserver.storage.s3.S3StoreTest.crc32c;
import static dev.rudp.fileserver.storage.s3.S3StoreTest.newUser;
import static dev.rudp.fileserver.storage.s3.S3StoreTest.p;
import static dev.rudp.fileserver.storage.s3.S3StoreTest.put;
import static dev.rudp.fileserver.storage.s3.S3StoreTest.sha256;
import static dev.rudp.fileserver.storage.s3.S3StoreTest.small;
import static dev.rudp.fileserver.storage.s3.S3StoreTest.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rudp.fileserver.protocol.ProtocolException;
import dev.rudp.fileserver.protocol.Status;
import dev.rudp.fileserver.storage.ReadHandle;
import dev.rudp.fileserver.storage.Store;
import dev.rudp.fileserver.storage.UploadSink;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.async.AsyncRequestBody;

/**
 * The S3 backend's digests against the real engine: the SHA-256 and CRC32C recorded in a sidecar and
 * distrusted once the object changed, carried by moves and copies, recorded by a whole download; an
 * upload resumed from a server that stored no CRC32C checked by its SHA-256; a mismatch discarding
 * the multipart upload.
 */
@Timeout(300)
class S3DigestsTest {
    private static final int PART = S3Settings.MIN_PART;

    @TempDir
    static Path scratch;

    private static TestBucket bucket;

    @BeforeAll
    static void open() throws Exception {
        bucket = new TestBucket(scratch);
    }

    @AfterAll
    static void close() throws Exception {
        if (bucket != null) {
            bucket.close();
        }
    }

    @Test
    void theDigestSidecarIsNotBelievedAfterTheObjectChanged() throws Exception {
        try (S3Backend b = bucket.backend("sidecar", small())) {
            String user = newUser();
            Store s = b.open(user, -1);
            byte[] a = bytes(100_000, 2);
            put(s, "f", a);
            try (ReadHandle h = s.openRead(p("f"), "f", 0)) {
                assertEquals(sha256(a), h.knownSha256());
                assertEquals(crc32c(a), h.knownCrc32c());
            }
            // replaced beside the service, same size
            byte[] other = bytes(100_000, 3);
            bucket.raw.putObject(r -> r.bucket(bucket.name).key("sidecar/" + user + "/f"),
                    AsyncRequestBody.fromBytes(other)).join();
            try (ReadHandle h = s.openRead(p("f"), "f", 0)) {
                assertNull(h.knownSha256());
                assertNull(h.knownCrc32c());
            }
            assertEquals(sha256(other), s.sha256(p("f"), "f"));
            // the computed digests are recorded for the new object
            try (ReadHandle h = s.openRead(p("f"), "f", 0)) {
                assertEquals(sha256(other), h.knownSha256());
                assertEquals(crc32c(other), h.knownCrc32c());
            }
            // a move and a copy carry it
            s.move(p("f"), "f", p("g"), "g");
            s.copy(p("g"), "g", p("h"), "h", false);
            for (String name : List.of("g", "h")) {
                try (ReadHandle h = s.openRead(p(name), name, 0)) {
                    assertEquals(sha256(other), h.knownSha256(), name);
                    assertEquals(crc32c(other), h.knownCrc32c(), name);
                }
            }
            // a sidecar of an older server (v1: the SHA-256 alone) is believed, with no CRC32C
            String key = "sidecar/" + user + "/h";
            String etag = bucket.raw.headObject(r -> r.bucket(bucket.name).key(key)).join().eTag();
            b.sidecars().store(key, etag, other.length, sha256(other), null);
            try (ReadHandle h = s.openRead(p("h"), "h", 0)) {
                assertEquals(sha256(other), h.knownSha256());
                assertNull(h.knownCrc32c());
            }
            // a download that hashed the whole object records what it computed
            bucket.raw.putObject(r -> r.bucket(bucket.name).key(key), AsyncRequestBody.fromBytes(a)).join();
            try (ReadHandle h = s.openRead(p("h"), "h", 0)) {
                assertNull(h.knownSha256());
                h.hashed(sha256(a), crc32c(a));
                ((S3ReadHandle) h).recording().get(30, TimeUnit.SECONDS);
            }
            try (ReadHandle h = s.openRead(p("h"), "h", 0)) {
                assertEquals(sha256(a), h.knownSha256());
                assertEquals(crc32c(a), h.knownCrc32c());
            }
        }
    }


    /**
     * An upload begun by a server before the CRC32C (digest states of the SHA-256 alone) is resumed
     * and checked by its SHA-256; its sidecar then holds no CRC32C. A wrong CRC32C discards an upload.
     */
    @Test
    void anUploadResumedFromAStateWithoutTheCrcIsCheckedByItsSha256() throws Exception {
        byte[] a = bytes(3 * PART + 5, 11);
        String user = newUser();
        String key = "oldstate/" + user + "/f";
        try (S3Backend first = bucket.backend("oldstate", small())) {
            UploadSink sink = first.open(user, -1).openUpload(p("f"), "f", a.length, false);
            write(sink, a, 0, 2L * PART);
            sink.abort();
        }
        List<String> states = bucket.keys("oldstate/.rudp/uploads/").stream().filter(k -> k.matches(".*/d\\d+")).toList();
        assertEquals(2, states.size(), states.toString());
        for (String k : states) {
            byte[] state = bucket.get(k);
            assertEquals(ResumableSha256.ENCODED_LENGTH + 4, state.length);
            bucket.raw.putObject(r -> r.bucket(bucket.name).key(k),
                    AsyncRequestBody.fromBytes(Arrays.copyOf(state, ResumableSha256.ENCODED_LENGTH))).join();
        }
        try (S3Backend second = bucket.backend("oldstate", small())) {
            Store s = second.open(user, -1);
            UploadSink sink = s.openUpload(p("f"), "f", a.length, true);
            assertEquals(2L * PART, sink.start());
            assertFalse(sink.checksCrc32c());
            assertThrows(IllegalStateException.class, () -> sink.finishByCrc32c(crc32c(a)));
            write(sink, a, sink.start(), a.length);
            assertEquals(sha256(a), sink.finish(sha256(a)));
            assertArrayEquals(a, bucket.get(key));
            try (ReadHandle h = s.openRead(p("f"), "f", 0)) {
                assertEquals(sha256(a), h.knownSha256());
                assertNull(h.knownCrc32c());
            }

            UploadSink wrong = s.openUpload(p("g"), "g", a.length, false);
            write(wrong, a, 0, a.length);
            ProtocolException e = assertThrows(ProtocolException.class, () -> wrong.finishByCrc32c("00000000"));
            assertEquals(Status.CHECKSUM_MISMATCH, e.status());
            assertTrue(bucket.keys("oldstate/" + user + "/g").isEmpty(), "nothing under the name");
            assertTrue(bucket.uploads("oldstate/" + user + "/g").isEmpty(), "the upload was discarded");
        }
    }


    @Test
    void aMismatchAbortsTheMultipartUpload() throws Exception {
        try (S3Backend b = bucket.backend("mismatch", small())) {
            String user = newUser();
            Store s = b.open(user, -1);
            byte[] a = bytes(2 * PART + 1, 9);
            UploadSink sink = s.openUpload(p("f"), "f", a.length, false);
            write(sink, a, 0, a.length);
            assertEquals(1, bucket.uploads("mismatch/").size());
            assertThrows(ProtocolException.class, () -> sink.finish(sha256(new byte[0])));
            assertTrue(bucket.uploads("mismatch/").isEmpty());
            assertTrue(bucket.keys("mismatch/.rudp/uploads/").isEmpty());
        }
    }
}
