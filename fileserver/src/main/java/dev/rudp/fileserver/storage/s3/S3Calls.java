package dev.rudp.fileserver.storage.s3;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
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
import software.amazon.awssdk.services.s3.model.ListMultipartUploadsResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.ListPartsResponse;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.Part;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The S3 requests the backend makes, on one client and bucket: blocking forms that throw
 * {@link S3StoreException} with one-line messages (never call on an event loop), complete
 * listings (every page), batched deletes, copies (multipart above the threshold) and bounded
 * concurrency for bulk work. Thread-safe.
 */
final class S3Calls {
    private final S3AsyncClient client;
    private final S3ClientFactory factory;
    private final String bucket;
    private final S3Settings settings;

    /** One level of a folder: the objects directly in it and the prefixes of its subfolders. */
    record Level(List<S3Object> objects, List<String> prefixes) {
    }

    S3Calls(S3AsyncClient client, S3ClientFactory factory, String bucket, S3Settings settings) {
        this.client = client;
        this.factory = factory;
        this.bucket = bucket;
        this.settings = settings;
    }

    S3AsyncClient client() {
        return client;
    }

    String bucket() {
        return bucket;
    }

    S3Settings settings() {
        return settings;
    }

    /** Waits for {@code f}, turning its failure into a one-line {@link S3StoreException}. */
    <T> T join(CompletableFuture<T> f) throws S3StoreException {
        try {
            return f.join();
        } catch (CompletionException | CancellationException e) {
            throw translate(e);
        }
    }

    S3StoreException translate(Throwable t) {
        return factory.translate(t, bucket);
    }

    /** Whether {@code t} (possibly wrapped) is S3's "no such key" or another 404. */
    static boolean notFound(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof NoSuchKeyException || c instanceof S3Exception s && s.statusCode() == 404) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code t} (possibly wrapped) is a failed precondition (If-Match): HTTP 412. */
    static boolean preconditionFailed(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof S3Exception s && s.statusCode() == 412) {
                return true;
            }
        }
        return false;
    }

    /** The object's attributes, or null when there is none. */
    HeadObjectResponse head(String key) throws S3StoreException {
        try {
            return client.headObject(r -> r.bucket(bucket).key(key)).join();
        } catch (CompletionException | CancellationException e) {
            if (notFound(e)) {
                return null;
            }
            throw translate(e);
        }
    }

    /** The object's bytes, or null when there is none. */
    byte[] get(String key) throws S3StoreException {
        try {
            return getAsync(key, null, null).join().asByteArrayUnsafe();
        } catch (CompletionException | CancellationException e) {
            if (notFound(e)) {
                return null;
            }
            throw translate(e);
        }
    }

    /** A GET of {@code range} (e.g. {@code bytes=0-99}, or null) that fails unless the ETag is {@code ifMatch} (null: any). */
    CompletableFuture<ResponseBytes<GetObjectResponse>> getAsync(String key, String range, String ifMatch) {
        return getAsync(key, range, ifMatch, AsyncResponseTransformer.toBytes());
    }

    /** The same GET with the body handed to {@code body}. */
    <T> CompletableFuture<T> getAsync(String key, String range, String ifMatch,
            AsyncResponseTransformer<GetObjectResponse, T> body) {
        return client.getObject(r -> r.bucket(bucket).key(key).range(range).ifMatch(ifMatch), body);
    }

    /** Stores {@code body} under {@code key}; returns its ETag (without quotes; "" when the engine gave none). */
    String put(String key, byte[] body) throws S3StoreException {
        return S3Keys.etag(join(putAsync(key, body)));
    }

    CompletableFuture<String> putAsync(String key, byte[] body) {
        return client.putObject(r -> r.bucket(bucket).key(key), AsyncRequestBody.fromBytesUnsafe(body))
                .thenApply(r -> r.eTag());
    }

    /** Every object whose key starts with {@code prefix}, in key order (all pages). */
    List<S3Object> listAll(String prefix) throws S3StoreException {
        List<S3Object> out = new ArrayList<>();
        String token = null;
        do {
            String from = token;
            ListObjectsV2Response page = join(client.listObjectsV2(r -> r.bucket(bucket).prefix(prefix)
                    .maxKeys(settings.listPageSize).continuationToken(from)));
            out.addAll(page.contents());
            token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
        } while (token != null);
        return out;
    }

    /** The objects and subfolder prefixes directly below {@code prefix} (delimiter {@code /}, all pages). */
    Level listLevel(String prefix) throws S3StoreException {
        List<S3Object> objects = new ArrayList<>();
        List<String> prefixes = new ArrayList<>();
        String token = null;
        do {
            String from = token;
            ListObjectsV2Response page = join(client.listObjectsV2(r -> r.bucket(bucket).prefix(prefix)
                    .delimiter("/").maxKeys(settings.listPageSize).continuationToken(from)));
            objects.addAll(page.contents());
            for (CommonPrefix p : page.commonPrefixes()) {
                prefixes.add(p.prefix());
            }
            token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
        } while (token != null);
        return new Level(objects, prefixes);
    }

    /** Whether any object's key starts with {@code prefix}. */
    boolean anyUnder(String prefix) throws S3StoreException {
        return !join(client.listObjectsV2(r -> r.bucket(bucket).prefix(prefix).maxKeys(1))).contents().isEmpty();
    }

    /**
     * Deletes {@code keys} in batches of {@link S3Settings#deleteBatch}, a few batches at a time;
     * keys already gone are fine.
     */
    void delete(Collection<String> keys) throws S3StoreException {
        List<String> all = new ArrayList<>(keys);
        List<List<String>> batches = new ArrayList<>();
        int n = settings.deleteBatch;
        for (int i = 0; i < all.size(); i += n) {
            batches.add(all.subList(i, Math.min(all.size(), i + n)));
        }
        bulk(batches, settings.deleteConcurrency, batch -> client.deleteObjects(r -> r.bucket(bucket).delete(Delete.builder()
                .objects(batch.stream().map(k -> ObjectIdentifier.builder().key(k).build()).toList())
                .quiet(true).build())).thenAccept(S3Calls::checkDeleted));
    }

    private static void checkDeleted(DeleteObjectsResponse r) {
        var failed = r.errors().stream().filter(e -> !"NoSuchKey".equals(e.code())).toList();
        if (!failed.isEmpty()) {
            throw new CompletionException(new IOException("could not delete " + failed.size() + " objects (first: "
                    + failed.get(0).code() + " " + failed.get(0).message() + ")"));
        }
    }

    /**
     * Server-side copy of {@code size} bytes from {@code from} to {@code to}, with UploadPartCopy
     * above the multipart threshold. Returns the new object's ETag (without quotes).
     */
    CompletableFuture<String> copyAsync(String from, String to, long size) {
        if (size <= settings.multipartCopyThreshold) {
            return client.copyObject(r -> r.sourceBucket(bucket).sourceKey(from).destinationBucket(bucket)
                    .destinationKey(to)).thenCompose(r -> {
                        String e = r.copyObjectResult() == null ? "" : S3Keys.etag(r.copyObjectResult().eTag());
                        return e.isEmpty() ? client.headObject(h -> h.bucket(bucket).key(to))
                                .thenApply(h -> S3Keys.etag(h.eTag())) : CompletableFuture.completedFuture(e);
                    });
        }
        return client.createMultipartUpload(r -> r.bucket(bucket).key(to)).thenCompose(created -> {
            String id = created.uploadId();
            long part = settings.copyPartSize;
            int parts = (int) ((size + part - 1) / part);
            List<CompletableFuture<CompletedPart>> done = new ArrayList<>();
            for (int i = 0; i < parts; i++) {
                int n = i + 1;
                long a = i * part;
                long b = Math.min(size, a + part) - 1;
                done.add(client.uploadPartCopy(r -> r.sourceBucket(bucket).sourceKey(from).destinationBucket(bucket)
                        .destinationKey(to).uploadId(id).partNumber(n).copySourceRange("bytes=" + a + "-" + b))
                        .thenApply(r -> CompletedPart.builder().partNumber(n).eTag(r.copyPartResult().eTag()).build()));
            }
            return CompletableFuture.allOf(done.toArray(CompletableFuture[]::new))
                    .thenCompose(v -> client.completeMultipartUpload(r -> r.bucket(bucket).key(to).uploadId(id)
                            .multipartUpload(m -> m.parts(done.stream().map(CompletableFuture::join).toList()))))
                    .thenCompose(c -> client.headObject(h -> h.bucket(bucket).key(to)))
                    .thenApply(h -> S3Keys.etag(h.eTag()))
                    .whenComplete((e, t) -> {
                        if (t != null) {
                            client.abortMultipartUpload(r -> r.bucket(bucket).key(to).uploadId(id));
                        }
                    });
        });
    }

    /** The unfinished multipart uploads whose keys start with {@code prefix} (all pages). */
    List<MultipartUpload> uploads(String prefix) throws S3StoreException {
        List<MultipartUpload> out = new ArrayList<>();
        String keyMarker = null;
        String idMarker = null;
        while (true) {
            String k = keyMarker;
            String u = idMarker;
            ListMultipartUploadsResponse page = join(client.listMultipartUploads(r -> r.bucket(bucket).prefix(prefix)
                    .keyMarker(k).uploadIdMarker(u)));
            out.addAll(page.uploads());
            if (!Boolean.TRUE.equals(page.isTruncated()) || page.uploads().isEmpty()) {
                return out;
            }
            keyMarker = page.nextKeyMarker();
            idMarker = page.nextUploadIdMarker();
        }
    }

    /** The parts of an unfinished upload, by number (all pages); empty when the upload is gone. */
    List<Part> parts(String key, String uploadId) throws S3StoreException {
        List<Part> out = new ArrayList<>();
        Integer marker = null;
        while (true) {
            Integer m = marker;
            ListPartsResponse page;
            try {
                page = client.listParts(r -> r.bucket(bucket).key(key).uploadId(uploadId).partNumberMarker(m)).join();
            } catch (CompletionException | CancellationException e) {
                if (notFound(e)) {
                    return out;
                }
                throw translate(e);
            }
            out.addAll(page.parts());
            if (!Boolean.TRUE.equals(page.isTruncated()) || page.parts().isEmpty()) {
                return out;
            }
            marker = page.nextPartNumberMarker();
        }
    }

    /** Aborts an unfinished upload; one already gone is fine. */
    void abortUpload(String key, String uploadId) throws S3StoreException {
        try {
            client.abortMultipartUpload(r -> r.bucket(bucket).key(key).uploadId(uploadId)).join();
        } catch (CompletionException | CancellationException e) {
            if (!notFound(e)) {
                throw translate(e);
            }
        }
    }

    /**
     * Runs {@code op} on every item with at most {@link S3Settings#bulkConcurrency} in flight and
     * waits for all; throws the first failure (after the others ended).
     */
    <T> void bulk(Collection<T> items, Function<T, CompletableFuture<?>> op) throws S3StoreException {
        bulk(items, settings.bulkConcurrency, op);
    }

    private <T> void bulk(Collection<T> items, int concurrency, Function<T, CompletableFuture<?>> op)
            throws S3StoreException {
        Semaphore slots = new Semaphore(concurrency);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<CompletableFuture<?>> all = new ArrayList<>();
        for (T item : items) {
            slots.acquireUninterruptibly();
            if (failure.get() != null) {
                slots.release();
                break;
            }
            CompletableFuture<?> f;
            try {
                f = op.apply(item);
            } catch (RuntimeException e) {
                f = CompletableFuture.failedFuture(e);
            }
            all.add(f.whenComplete((v, t) -> {
                if (t != null) {
                    failure.compareAndSet(null, t);
                }
                slots.release();
            }));
        }
        try {
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
        } catch (CompletionException | CancellationException e) {
            // the first failure is reported below
        }
        if (failure.get() != null) {
            throw translate(failure.get());
        }
    }
}
