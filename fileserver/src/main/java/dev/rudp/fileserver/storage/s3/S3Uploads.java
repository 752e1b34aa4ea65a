package dev.rudp.fileserver.storage.s3;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.Part;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Unfinished uploads and their state in the bucket, so that any server can resume one: the
 * multipart upload itself (found with ListMultipartUploads, its parts with ListParts) and, under
 * {@link S3Keys#upload}, an {@code info} object (the file size and part size the upload was
 * started for) and {@code dNNNNNN} objects, the state of the whole-file digests after part N
 * ({@link UploadDigests}: the SHA-256's in BouncyCastle's {@code SHA256Digest} encoded format, 53
 * bytes, then the CRC32C's 4). Thread-safe.
 */
final class S3Uploads {
    private static final Pattern INFO = Pattern.compile("rudp-upload v1 size=(\\d+) part=(\\d+)\\s*");

    private final S3Calls calls;
    private final S3Keys keys;

    /** An unfinished upload of one key with what a resume needs. */
    record Found(String uploadId, Instant initiated, long size, int partSize, List<Part> parts, Set<Integer> digests) {
    }

    S3Uploads(S3Calls calls, S3Keys keys) {
        this.calls = calls;
        this.keys = keys;
    }

    /** Starts a multipart upload of {@code size} bytes in parts of {@code partSize}; returns its id. */
    String create(String key, long size, int partSize) throws S3StoreException {
        String id = calls.join(calls.client().createMultipartUpload(r -> r.bucket(calls.bucket()).key(key))).uploadId();
        calls.put(keys.upload(key, id) + "info", ("rudp-upload v1 size=" + size + " part=" + partSize)
                .getBytes(StandardCharsets.US_ASCII));
        return id;
    }

    /** Stores the digest state after part {@code part}. */
    CompletableFuture<String> writeDigest(String key, String uploadId, int part, byte[] state) {
        return calls.putAsync(digestKey(key, uploadId, part), state);
    }

    byte[] readDigest(String key, String uploadId, int part) throws S3StoreException {
        return calls.get(digestKey(key, uploadId, part));
    }

    private String digestKey(String key, String uploadId, int part) {
        return keys.upload(key, uploadId) + String.format("d%06d", part);
    }

    /** The unfinished uploads of exactly {@code key}, newest first, with their state (uploads without one are skipped). */
    List<Found> find(String key) throws S3StoreException {
        List<Found> out = new ArrayList<>();
        List<MultipartUpload> ups = new ArrayList<>(calls.uploads(key));
        ups.removeIf(u -> !u.key().equals(key));
        ups.sort(Comparator.comparing(MultipartUpload::initiated, Comparator.nullsFirst(Comparator.naturalOrder()))
                .reversed());
        for (MultipartUpload u : ups) {
            String dir = keys.upload(key, u.uploadId());
            Set<Integer> digests = new HashSet<>();
            long size = -1;
            int partSize = -1;
            for (S3Object o : calls.listAll(dir)) {
                String name = o.key().substring(dir.length());
                if (name.matches("d\\d{6}")) {
                    digests.add(Integer.parseInt(name.substring(1)));
                } else if (name.equals("info")) {
                    byte[] b = calls.get(o.key());
                    Matcher m = b == null ? null : INFO.matcher(new String(b, StandardCharsets.US_ASCII));
                    if (m != null && m.matches()) {
                        size = Long.parseLong(m.group(1));
                        partSize = Integer.parseInt(m.group(2));
                    }
                }
            }
            out.add(new Found(u.uploadId(), u.initiated(), size, partSize, calls.parts(key, u.uploadId()), digests));
        }
        return out;
    }

    /** Aborts the upload and removes its state. */
    void discard(String key, String uploadId) throws S3StoreException {
        calls.abortUpload(key, uploadId);
        deleteState(key, uploadId);
    }

    void deleteState(String key, String uploadId) throws S3StoreException {
        List<String> state = calls.listAll(keys.upload(key, uploadId)).stream().map(S3Object::key).toList();
        if (!state.isEmpty()) {
            calls.delete(state);
        }
    }

    /** Bytes held by the parts of unfinished uploads whose keys start with {@code prefix}. */
    long held(String prefix) throws S3StoreException {
        long total = 0;
        for (MultipartUpload u : calls.uploads(prefix)) {
            for (Part p : calls.parts(u.key(), u.uploadId())) {
                total += p.size() == null ? 0 : p.size();
            }
        }
        return total;
    }

    /**
     * Aborts the multipart uploads under the backend's prefix that nobody touched for
     * {@code maxAge} (started that long ago, and no part's digest state stored since) and removes
     * their state, and state left without an upload (a server stopped between the two) once it is
     * that old too. Returns the number of uploads aborted.
     */
    int expire(Duration maxAge) throws S3StoreException {
        Instant cutoff = Instant.now().minus(maxAge);
        Set<String> live = new HashSet<>();
        int aborted = 0;
        for (MultipartUpload u : calls.uploads(keys.base())) {
            if (u.key().startsWith(keys.base() + S3Keys.SYSTEM)) {
                continue;
            }
            String dir = keys.upload(u.key(), u.uploadId());
            boolean old = u.initiated() != null && !touchedAfter(u.initiated(), cutoff)
                    && calls.listAll(dir).stream().noneMatch(o -> touchedAfter(o.lastModified(), cutoff));
            if (old) {
                discard(u.key(), u.uploadId());
                aborted++;
            } else {
                live.add(dir);
            }
        }
        Map<String, Instant> newest = new HashMap<>();
        Map<String, List<String>> byDir = new HashMap<>();
        String root = keys.uploadsRoot();
        for (S3Object o : calls.listAll(root)) {
            String rest = o.key().substring(root.length());
            String[] parts = rest.split("/", 3);
            if (parts.length < 3) {
                continue;
            }
            String dir = root + parts[0] + "/" + parts[1] + "/";
            byDir.computeIfAbsent(dir, d -> new ArrayList<>()).add(o.key());
            newest.merge(dir, o.lastModified(), (a, b) -> a.isAfter(b) ? a : b);
        }
        List<String> orphans = new ArrayList<>();
        byDir.forEach((dir, objects) -> {
            if (!live.contains(dir) && !touchedAfter(newest.get(dir), cutoff)) {
                orphans.addAll(objects);
            }
        });
        if (!orphans.isEmpty()) {
            calls.delete(orphans);
        }
        return aborted;
    }

    /**
     * Whether a time the store reported lies after {@code cutoff}. Stores report whole seconds and
     * Swift rounds up, so a time up to a second past the cutoff may be from before it: the age is
     * judged to the second.
     */
    private static boolean touchedAfter(Instant reported, Instant cutoff) {
        return reported.isAfter(cutoff.plusSeconds(1));
    }
}
