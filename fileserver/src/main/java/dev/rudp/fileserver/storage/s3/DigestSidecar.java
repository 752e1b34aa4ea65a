package dev.rudp.fileserver.storage.s3;

import dev.rudp.fileserver.storage.KnownDigests;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A file's verified digests, kept in a small object beside it ({@link S3Keys#sidecar}) when an
 * upload completes or a download or checksum hashed the whole file: {@code v2 <size> <etag> <sha256
 * hex> <crc32c hex>}, or {@code v1 <size> <etag> <sha256 hex>} where the CRC32C is not known (written
 * so by older servers too). It is believed only while the object's ETag and size are the ones
 * recorded, so an object replaced or rewritten by anything (another server, a tool beside the
 * service) is hashed again. A sidecar cannot be attached to the object itself: the digest is known
 * only after the multipart upload began, and S3 metadata is fixed at creation.
 */
final class DigestSidecar {
    private static final Pattern VALUE = Pattern.compile("(v1|v2) (\\d+) (\\S+) ([0-9a-f]{64})(?: ([0-9a-f]{8}))?");

    private final S3Calls calls;
    private final S3Keys keys;

    DigestSidecar(S3Calls calls, S3Keys keys) {
        this.calls = calls;
        this.keys = keys;
    }

    /** The digests recorded for {@code objectKey}, or null unless they were recorded for this ETag and size. */
    KnownDigests lookup(String objectKey, String etag, long size) throws S3StoreException {
        String e = S3Keys.etag(etag);
        if (e.isEmpty()) {
            return null;
        }
        byte[] b = calls.get(keys.sidecar(objectKey));
        return b == null || b.length > 256 ? null : parse(b, e, size);
    }

    /** The digests in {@code value} if it is a sidecar recorded for {@code etag} and {@code size}, else null. */
    private static KnownDigests parse(byte[] value, String etag, long size) {
        Matcher m = VALUE.matcher(new String(value, StandardCharsets.US_ASCII));
        if (!m.matches() || m.group(1).equals("v2") != (m.group(5) != null)) {
            return null;
        }
        return Long.parseLong(m.group(2)) == size && m.group(3).equals(etag) ? new KnownDigests(m.group(4), m.group(5)) : null;
    }

    /** Records {@code sha256} and {@code crc32c} (null: not known) for {@code objectKey} as it is (ETag and size). */
    void store(String objectKey, String etag, long size, String sha256, String crc32c) throws S3StoreException {
        calls.join(storeAsync(objectKey, etag, size, sha256, crc32c));
    }

    CompletableFuture<String> storeAsync(String objectKey, String etag, long size, String sha256, String crc32c) {
        String e = S3Keys.etag(etag);
        if (e.isEmpty() || e.indexOf(' ') >= 0) {
            return CompletableFuture.completedFuture("");
        }
        String value = crc32c != null ? "v2 " + size + " " + e + " " + sha256 + " " + crc32c
                : "v1 " + size + " " + e + " " + sha256;
        return calls.putAsync(keys.sidecar(objectKey), value.getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * After a server-side copy: records the source's digests for the copy (new ETag {@code toEtag})
     * when the source's sidecar still held.
     */
    CompletableFuture<?> copyAsync(String fromKey, String fromEtag, long size, String toKey, String toEtag) {
        return calls.getAsync(keys.sidecar(fromKey), null, null).handle((b, t) -> {
            if (t != null) {
                return null; // no sidecar (404) or unreadable: the copy is hashed when asked
            }
            return parse(b.asByteArrayUnsafe(), S3Keys.etag(fromEtag), size);
        }).thenCompose(k -> k == null ? CompletableFuture.completedFuture("")
                : storeAsync(toKey, toEtag, size, k.sha256(), k.crc32c()));
    }
}
