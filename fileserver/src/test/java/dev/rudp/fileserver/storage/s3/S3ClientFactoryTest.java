package dev.rudp.fileserver.storage.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rudp.fileserver.storage.s3.S3StoreException.Reason;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletionException;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.Delete;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.ListPartsResponse;
import software.amazon.awssdk.services.s3.model.MetadataDirective;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.NoSuchUploadException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.Part;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The client settings against a real engine (the one {@code .ci/run} starts, or one started here
 * with {@code bin/objectstore}): every S3 operation the storage backend will use, and the one-line
 * errors of {@link S3ClientFactory#check}. No mock: if no engine can be had, every test fails with
 * the reason.
 */
class S3ClientFactoryTest {
    private static final int MIB = 1024 * 1024;

    @TempDir
    static Path scratch;

    private static ObjectStoreFixture store;
    private static S3ClientFactory factory;
    private static S3AsyncClient s3;
    private static String bucket;

    @BeforeAll
    static void startStore() throws Exception {
        store = ObjectStoreFixture.open(scratch);
        factory = store.factory();
        s3 = factory.newClient();
        bucket = "rudp-test-" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(Long.toString(System.nanoTime()).getBytes(StandardCharsets.US_ASCII)), 0, 6);
        s3.createBucket(r -> r.bucket(bucket)).join();
    }

    @AfterAll
    static void stopStore() throws Exception {
        try {
            if (s3 != null) {
                emptyAndDeleteBucket();
                s3.close();
            }
        } finally {
            if (store != null) {
                store.close();
            }
        }
    }

    /** Removes every object with multi-object delete (Content-MD5 from LegacyMd5Plugin), then the bucket. */
    private static void emptyAndDeleteBucket() {
        for (var upload : s3.listMultipartUploads(r -> r.bucket(bucket)).join().uploads()) {
            s3.abortMultipartUpload(r -> r.bucket(bucket).key(upload.key()).uploadId(upload.uploadId())).join();
        }
        String token = null;
        do {
            String from = token;
            ListObjectsV2Response page = s3.listObjectsV2(r -> r.bucket(bucket).continuationToken(from)).join();
            if (!page.contents().isEmpty()) {
                List<ObjectIdentifier> ids = page.contents().stream()
                        .map(o -> ObjectIdentifier.builder().key(o.key()).build()).collect(Collectors.toList());
                DeleteObjectsResponse deleted = s3.deleteObjects(r -> r.bucket(bucket)
                        .delete(Delete.builder().objects(ids).build())).join();
                assertTrue(deleted.errors().isEmpty(), () -> "multi-object delete: " + deleted.errors());
            }
            token = page.nextContinuationToken();
        } while (token != null);
        s3.deleteBucket(r -> r.bucket(bucket)).join();
    }

    private static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static void put(String key, byte[] body) {
        s3.putObject(r -> r.bucket(bucket).key(key), AsyncRequestBody.fromBytes(body)).join();
    }

    private static ResponseBytes<GetObjectResponse> get(String key, String range) {
        return s3.getObject(r -> r.bucket(bucket).key(key).range(range), AsyncResponseTransformer.toBytes()).join();
    }

    @Test
    void checkAcceptsTheBucket() throws Exception {
        factory.check(s3, bucket);
    }

    @Test
    void putGetAndHeadKeepUserMetadata() {
        byte[] body = randomBytes(100_000, 1);
        s3.putObject(r -> r.bucket(bucket).key("meta/file.bin")
                        .metadata(Map.of("sha256", "abc123", "owner", "alice")),
                AsyncRequestBody.fromBytes(body)).join();

        HeadObjectResponse head = s3.headObject(r -> r.bucket(bucket).key("meta/file.bin")).join();
        assertEquals(body.length, head.contentLength());
        assertEquals(Map.of("sha256", "abc123", "owner", "alice"), head.metadata());
        assertFalse(head.eTag().isEmpty());

        ResponseBytes<GetObjectResponse> got = get("meta/file.bin", null);
        assertArrayEquals(body, got.asByteArray());
        assertEquals("alice", got.response().metadata().get("owner"));
        assertEquals(head.eTag(), got.response().eTag());

        CompletionException missing = assertThrows(CompletionException.class,
                () -> s3.headObject(r -> r.bucket(bucket).key("meta/absent")).join());
        assertEquals(404, ((S3Exception) missing.getCause()).statusCode());
    }

    @Test
    void rangedGetReturnsTheRequestedBytes() {
        byte[] body = randomBytes(300_000, 2);
        put("ranges/file.bin", body);

        ResponseBytes<GetObjectResponse> middle = get("ranges/file.bin", "bytes=1000-1999");
        assertArrayEquals(Arrays.copyOfRange(body, 1000, 2000), middle.asByteArray());
        assertEquals("bytes 1000-1999/300000", middle.response().contentRange());

        assertArrayEquals(Arrays.copyOfRange(body, 299_900, 300_000), get("ranges/file.bin", "bytes=-100").asByteArray());
        assertArrayEquals(Arrays.copyOfRange(body, 250_000, 300_000),
                get("ranges/file.bin", "bytes=250000-").asByteArray());
    }

    @Test
    void listingWithDelimiterAndPagination() {
        int files = 25;
        for (int i = 0; i < files; i++) {
            put(String.format("tree/docs/f%03d", i), new byte[] {(byte) i});
        }
        put("tree/empty/", new byte[0]);           // a folder marker
        put("tree/pics/a/b.jpg", new byte[] {1});  // a folder only implied by a deeper key
        put("tree/top.txt", new byte[] {2});

        ListObjectsV2Response level = s3.listObjectsV2(r -> r.bucket(bucket).prefix("tree/").delimiter("/")).join();
        assertEquals(List.of("tree/docs/", "tree/empty/", "tree/pics/"),
                level.commonPrefixes().stream().map(CommonPrefix::prefix).collect(Collectors.toList()));
        assertEquals(List.of("tree/top.txt"), level.contents().stream().map(S3Object::key).collect(Collectors.toList()));

        List<String> seen = new ArrayList<>();
        int pages = 0;
        String token = null;
        do {
            String from = token;
            ListObjectsV2Response page = s3.listObjectsV2(r -> r.bucket(bucket).prefix("tree/docs/").delimiter("/")
                    .maxKeys(10).continuationToken(from)).join();
            assertTrue(page.keyCount() <= 10);
            page.contents().forEach(o -> seen.add(o.key()));
            token = page.isTruncated() ? page.nextContinuationToken() : null;
            pages++;
        } while (token != null && pages < 10);
        assertEquals(3, pages);
        assertEquals(files, seen.size());
        for (int i = 0; i < files; i++) {
            assertEquals(String.format("tree/docs/f%03d", i), seen.get(i));
        }

        ListObjectsV2Response after = s3.listObjectsV2(r -> r.bucket(bucket).prefix("tree/docs/")
                .startAfter("tree/docs/f020")).join();
        assertEquals(4, after.keyCount());
    }

    @Test
    void multipartUploadWithPartsOutOfOrder() throws Exception {
        byte[] body = randomBytes(2 * 8 * MIB + MIB, 3);     // two 8 MiB parts and a short last one
        String key = "multi/big.bin";
        String uploadId = s3.createMultipartUpload(r -> r.bucket(bucket).key(key)
                .metadata(Map.of("purpose", "test"))).join().uploadId();

        int[][] parts = {{3, 2 * 8 * MIB, body.length}, {1, 0, 8 * MIB}, {2, 8 * MIB, 2 * 8 * MIB}};
        for (int[] p : parts) {
            s3.uploadPart(r -> r.bucket(bucket).key(key).uploadId(uploadId).partNumber(p[0]),
                    AsyncRequestBody.fromBytes(Arrays.copyOfRange(body, p[1], p[2]))).join();
        }

        ListPartsResponse listed = s3.listParts(r -> r.bucket(bucket).key(key).uploadId(uploadId)).join();
        assertEquals(List.of(1, 2, 3), listed.parts().stream().map(Part::partNumber).collect(Collectors.toList()));
        assertEquals(List.of((long) 8 * MIB, (long) 8 * MIB, (long) MIB),
                listed.parts().stream().map(Part::size).collect(Collectors.toList()));
        assertTrue(s3.listMultipartUploads(r -> r.bucket(bucket).prefix("multi/")).join().uploads().stream()
                .anyMatch(u -> u.uploadId().equals(uploadId)));

        // Not visible under its name until completed.
        CompletionException hidden = assertThrows(CompletionException.class,
                () -> s3.headObject(r -> r.bucket(bucket).key(key)).join());
        assertEquals(404, ((S3Exception) hidden.getCause()).statusCode());

        List<CompletedPart> completed = listed.parts().stream()
                .map(p -> CompletedPart.builder().partNumber(p.partNumber()).eTag(p.eTag()).build())
                .collect(Collectors.toList());
        s3.completeMultipartUpload(r -> r.bucket(bucket).key(key).uploadId(uploadId)
                .multipartUpload(m -> m.parts(completed))).join();

        HeadObjectResponse head = s3.headObject(r -> r.bucket(bucket).key(key)).join();
        assertEquals(body.length, head.contentLength());
        assertEquals("test", head.metadata().get("purpose"));
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        assertArrayEquals(sha.digest(body), sha.digest(get(key, null).asByteArray()));
        // A range across the boundary of parts 1 and 2.
        assertArrayEquals(Arrays.copyOfRange(body, 8 * MIB - 100, 8 * MIB + 100),
                get(key, "bytes=" + (8 * MIB - 100) + "-" + (8 * MIB + 99)).asByteArray());
    }

    @Test
    void abortedMultipartUploadLeavesNothing() {
        String key = "multi/aborted.bin";
        String uploadId = s3.createMultipartUpload(r -> r.bucket(bucket).key(key)).join().uploadId();
        s3.uploadPart(r -> r.bucket(bucket).key(key).uploadId(uploadId).partNumber(1),
                AsyncRequestBody.fromBytes(randomBytes(5 * MIB, 4))).join();
        s3.abortMultipartUpload(r -> r.bucket(bucket).key(key).uploadId(uploadId)).join();

        assertFalse(s3.listMultipartUploads(r -> r.bucket(bucket).prefix(key)).join().uploads().stream()
                .anyMatch(u -> u.uploadId().equals(uploadId)));
        CompletionException gone = assertThrows(CompletionException.class,
                () -> s3.listParts(r -> r.bucket(bucket).key(key).uploadId(uploadId)).join());
        assertInstanceOf(NoSuchUploadException.class, gone.getCause());
        CompletionException absent = assertThrows(CompletionException.class,
                () -> s3.getObject(r -> r.bucket(bucket).key(key), AsyncResponseTransformer.toBytes()).join());
        assertInstanceOf(NoSuchKeyException.class, absent.getCause());
    }

    @Test
    void serverSideCopyKeepsOrReplacesMetadata() {
        byte[] body = randomBytes(50_000, 5);
        s3.putObject(r -> r.bucket(bucket).key("copy/src").metadata(Map.of("v", "1")),
                AsyncRequestBody.fromBytes(body)).join();

        s3.copyObject(r -> r.sourceBucket(bucket).sourceKey("copy/src")
                .destinationBucket(bucket).destinationKey("copy/dst")).join();
        ResponseBytes<GetObjectResponse> copy = get("copy/dst", null);
        assertArrayEquals(body, copy.asByteArray());
        assertEquals("1", copy.response().metadata().get("v"));

        // Copy onto itself with new metadata: how a digest can be attached after the fact.
        s3.copyObject(r -> r.sourceBucket(bucket).sourceKey("copy/dst").destinationBucket(bucket)
                .destinationKey("copy/dst").metadataDirective(MetadataDirective.REPLACE)
                .metadata(Map.of("v", "2"))).join();
        HeadObjectResponse head = s3.headObject(r -> r.bucket(bucket).key("copy/dst")).join();
        assertEquals(Map.of("v", "2"), head.metadata());
        assertArrayEquals(body, get("copy/dst", null).asByteArray());
    }

    @Test
    void wrongSecretIsOneClearLine() {
        assertCheckFails(S3ClientFactory.builder().endpoint(store.endpoint())
                .staticCredentials(store.accessKey(), store.secretKey() + "x").build(), bucket,
                Reason.BAD_CREDENTIALS, "refused the credentials");
    }

    @Test
    void unknownAccessKeyIsOneClearLine() {
        assertCheckFails(S3ClientFactory.builder().endpoint(store.endpoint())
                .staticCredentials("rudp:nobody", store.secretKey()).build(), bucket,
                Reason.BAD_CREDENTIALS, "refused the credentials");
    }

    @Test
    void missingBucketIsOneClearLine() {
        S3StoreException e = assertCheckFails(factory, bucket + "-absent", Reason.NO_BUCKET, "does not exist");
        assertTrue(e.getMessage().contains(bucket + "-absent"), e.getMessage());
    }

    @Test
    void unreachableEndpointIsOneClearLine() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        S3ClientFactory closed = S3ClientFactory.builder().endpoint(URI.create("http://127.0.0.1:" + port))
                .staticCredentials("a", "b").build();
        S3StoreException e = assertCheckFails(closed, bucket, Reason.UNREACHABLE, "cannot reach");
        assertTrue(e.getMessage().contains("127.0.0.1:" + port), e.getMessage());
    }

    @Test
    void defaultChainReadsTheStandardSettings() throws Exception {
        // The chain's first source is the aws.accessKeyId / aws.secretAccessKey system properties;
        // the environment variables come next and cannot be set from inside a JVM.
        System.setProperty("aws.accessKeyId", store.accessKey());
        System.setProperty("aws.secretAccessKey", store.secretKey());
        try {
            S3ClientFactory chain = S3ClientFactory.builder().endpoint(store.endpoint()).defaultCredentials().build();
            try (S3AsyncClient client = chain.newClient()) {
                chain.check(client, bucket);
            }
        } finally {
            System.clearProperty("aws.accessKeyId");
            System.clearProperty("aws.secretAccessKey");
        }
    }

    @Test
    void badEndpointsAndRegionsAreRefusedAtOnce() {
        assertThrows(IllegalArgumentException.class, () -> S3ClientFactory.builder().endpoint(URI.create("ftp://h")));
        assertThrows(IllegalArgumentException.class,
                () -> S3ClientFactory.builder().endpoint(URI.create("http://h:1/bucket")));
        assertThrows(IllegalArgumentException.class, () -> S3ClientFactory.builder().region("US East"));
    }

    private static S3StoreException assertCheckFails(S3ClientFactory f, String bucketName, Reason reason,
            String phrase) {
        try (S3AsyncClient client = f.newClient()) {
            S3StoreException e = assertThrows(S3StoreException.class, () -> f.check(client, bucketName));
            assertEquals(reason, e.reason(), e.getMessage());
            assertTrue(e.getMessage().contains(phrase), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
            assertFalse(e.getMessage().contains(store.secretKey()), "no secret in: " + e.getMessage());
            return e;
        }
    }
}
