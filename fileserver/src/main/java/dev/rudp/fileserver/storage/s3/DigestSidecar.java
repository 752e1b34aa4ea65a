package dev.rudp.fileserver.storage.s3;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A file's verified SHA-256, kept in a small object beside it ({@link S3Keys#sidecar}) when an
 * upload completes or a checksum was computed: {@code v1 <size> <etag> <sha256 hex>}. It is
 * believed only while the object's ETag and size are the ones recorded, so an object replaced or
 * rewritten by anything (another server, a tool beside the service) is hashed again. A sidecar
 * cannot be attached to the object itself: the digest is known only after the multipart upload
 * began, and S3 metadata is fixed at creation.
 */
final class DigestSidecar {
    private static final Pattern VALUE = Pattern.compile("v1 (\\d+) (\\S+) ([0-9a-f]{64})");

    private final S3Calls calls;
    private final S3Keys keys;

    DigestSidecar(S3Calls calls, S3Keys keys) {
        this.calls = calls;
        this.keys = keys;
    }

    /** The digest recorded for {@code objectKey}, or null unless it was recorded for this ETag and size. */
    String lookup(String objectKey, String etag, long size) throws S3StoreException {
        String e = S3Keys.etag(etag);
        if (e.isEmpty()) {
            return null;
        }
        byte[] b = calls.get(keys.sidecar(objectKey));
        if (b == null || b.length > 256) {
            return null;
        }
        Matcher m = VALUE.matcher(new String(b, StandardCharsets.US_ASCII));
        return m.matches() && Long.parseLong(m.group(1)) == size && m.group(2).equals(e) ? m.group(3) : null;
    }

    /** Records {@code sha256} for {@code objectKey} as it is (ETag and size). */
    void store(String objectKey, String etag, long size, String sha256) throws S3StoreException {
        calls.join(storeAsync(objectKey, etag, size, sha256));
    }

    CompletableFuture<String> storeAsync(String objectKey, String etag, long size, String sha256) {
        String e = S3Keys.etag(etag);
        if (e.isEmpty() || e.indexOf(' ') >= 0) {
            return CompletableFuture.completedFuture("");
        }
        return calls.putAsync(keys.sidecar(objectKey),
                ("v1 " + size + " " + e + " " + sha256).getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * After a server-side copy: records the source's digest for the copy (new ETag {@code toEtag})
     * when the source's sidecar still held.
     */
    CompletableFuture<?> copyAsync(String fromKey, String fromEtag, long size, String toKey, String toEtag) {
        return calls.getAsync(keys.sidecar(fromKey), null, null).handle((b, t) -> {
            if (t != null) {
                return null; // no sidecar (404) or unreadable: the copy is hashed when asked
            }
            Matcher m = VALUE.matcher(new String(b.asByteArrayUnsafe(), StandardCharsets.US_ASCII));
            return m.matches() && Long.parseLong(m.group(1)) == size && m.group(2).equals(S3Keys.etag(fromEtag))
                    ? m.group(3) : null;
        }).thenCompose(sha -> sha == null ? CompletableFuture.completedFuture("")
                : storeAsync(toKey, toEtag, size, sha));
    }
}
