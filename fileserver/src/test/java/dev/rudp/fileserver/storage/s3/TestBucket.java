package dev.rudp.fileserver.storage.s3;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.Delete;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A fresh bucket on the real engine ({@link ObjectStoreFixture}) for one test class, with a raw
 * client for looking behind the backend; emptied and removed on {@link #close()}.
 */
final class TestBucket implements AutoCloseable {
    final ObjectStoreFixture engine;
    final S3ClientFactory factory;
    final S3AsyncClient raw;
    final String name;

    TestBucket(Path scratch) throws Exception {
        engine = ObjectStoreFixture.open(scratch);
        factory = engine.factory();
        raw = factory.newClient();
        name = "rudp-" + UUID.randomUUID().toString().substring(0, 13);
        raw.createBucket(r -> r.bucket(name)).join();
    }

    /** A backend on this bucket under {@code prefix} with test settings. */
    S3Backend backend(String prefix, S3Settings settings) throws S3StoreException {
        return S3Backend.open(factory, name, prefix, settings);
    }

    /** The object {@code key}'s bytes, read with the SDK. */
    byte[] get(String key) {
        return raw.getObject(r -> r.bucket(name).key(key), AsyncResponseTransformer.toBytes()).join().asByteArray();
    }

    /** Every key in the bucket below {@code prefix}. */
    List<String> keys(String prefix) {
        List<String> out = new ArrayList<>();
        String token = null;
        do {
            String from = token;
            ListObjectsV2Response page = raw.listObjectsV2(r -> r.bucket(name).prefix(prefix).continuationToken(from)).join();
            page.contents().forEach(o -> out.add(o.key()));
            token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
        } while (token != null);
        return out;
    }

    List<MultipartUpload> uploads(String prefix) {
        return raw.listMultipartUploads(r -> r.bucket(name).prefix(prefix)).join().uploads();
    }

    @Override
    public void close() throws Exception {
        try {
            for (MultipartUpload u : uploads("")) {
                raw.abortMultipartUpload(r -> r.bucket(name).key(u.key()).uploadId(u.uploadId())).join();
            }
            List<String> all = keys("");
            for (int i = 0; i < all.size(); i += 1000) {
                List<ObjectIdentifier> ids = all.subList(i, Math.min(all.size(), i + 1000)).stream()
                        .map(k -> ObjectIdentifier.builder().key(k).build()).toList();
                raw.deleteObjects(r -> r.bucket(name).delete(Delete.builder().objects(ids).quiet(true).build())).join();
            }
            raw.deleteBucket(r -> r.bucket(name)).join();
        } finally {
            raw.close();
            engine.close();
        }
    }

    static long size(S3Object o) {
        return o.size();
    }
}
