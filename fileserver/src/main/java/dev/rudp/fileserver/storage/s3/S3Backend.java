package dev.rudp.fileserver.storage.s3;

import dev.rudp.fileserver.protocol.ProtocolException;
import dev.rudp.fileserver.protocol.Status;
import dev.rudp.fileserver.storage.Store;
import dev.rudp.fileserver.storage.StoreBackend;
import dev.rudp.fileserver.storage.SystemRecords;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * Users' files and the servers' records in one S3 bucket that any number of servers share. Layout
 * under {@code PREFIX/} (see {@link S3Keys}): {@code USER/path} for files, {@code USER/path/}
 * markers for folders, {@code .rudp/} for records, digest sidecars, upload and move state.
 *
 * <pre>{@code
 * try (S3Backend b = S3Backend.open(factory, "files", "prod")) {   // checks the bucket: one line on failure
 *     Store alice = b.open("alice", -1);
 * }
 * }</pre>
 *
 * <p>One per server process; thread-safe. It owns one SDK client (its own connection pool and
 * event loops), released by {@link #close()}.
 */
public final class S3Backend implements StoreBackend {
    private static final Pattern PREFIX_SEGMENT = Pattern.compile("[A-Za-z0-9._-]+");

    private final S3Calls calls;
    private final S3Keys keys;
    private final String bucket;
    private final String prefix;
    private final S3Records records;
    private final S3Uploads uploads;
    private final DigestSidecar sidecars;
    private final S3Settings settings;
    private final ConcurrentMap<String, UsageCache> usage = new ConcurrentHashMap<>();

    private S3Backend(S3AsyncClient client, S3ClientFactory factory, String bucket, String prefix, S3Settings settings) {
        this.bucket = bucket;
        this.prefix = prefix;
        this.settings = settings;
        this.calls = new S3Calls(client, factory, bucket, settings);
        this.keys = new S3Keys(prefix);
        this.records = new S3Records(calls, keys);
        this.uploads = new S3Uploads(calls, keys);
        this.sidecars = new DigestSidecar(calls, keys);
    }

    /**
     * A backend on {@code bucket} below {@code prefix} ("" for the bucket's top; segments of
     * letters, digits, {@code .}, {@code _} and {@code -} joined by {@code /}), after checking
     * that the credentials are accepted and the bucket exists.
     *
     * @throws S3StoreException with one line (wrong credentials, missing bucket, unreachable endpoint)
     * @throws IllegalArgumentException for a malformed prefix
     */
    public static S3Backend open(S3ClientFactory factory, String bucket, String prefix) throws S3StoreException {
        return open(factory, bucket, prefix, new S3Settings());
    }

    static S3Backend open(S3ClientFactory factory, String bucket, String prefix, S3Settings settings)
            throws S3StoreException {
        String p = normalizePrefix(prefix);
        settings.check();
        S3AsyncClient client = factory.newClient();
        try {
            factory.check(client, bucket);
        } catch (S3StoreException | RuntimeException e) {
            client.close();
            throw e;
        }
        return new S3Backend(client, factory, bucket, p, settings);
    }

    static String normalizePrefix(String prefix) {
        String p = prefix == null ? "" : prefix;
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        if (p.isEmpty()) {
            return p;
        }
        for (String s : p.split("/", -1)) {
            if (!PREFIX_SEGMENT.matcher(s).matches() || s.equals(".") || s.equals("..") || s.startsWith(".")) {
                throw new IllegalArgumentException("S3 prefix must be names of letters, digits, '.', '_' and '-'"
                        + " (not starting with '.') joined by '/': " + prefix);
            }
        }
        return p;
    }

    @Override
    public Store open(String user, long quota) throws ProtocolException {
        if (user == null || user.isEmpty() || user.startsWith(".") || user.contains("/")
                || user.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 255
                || user.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw ProtocolException.of(Status.BAD_REQUEST, "invalid account name for the object store: " + user);
        }
        return new S3Store(this, user, quota);
    }

    @Override
    public SystemRecords records() {
        return records;
    }

    @Override
    public int expireUploads(Duration maxAge) throws ProtocolException {
        Objects.requireNonNull(maxAge, "maxAge");
        try {
            return uploads.expire(maxAge);
        } catch (S3StoreException e) {
            throw ProtocolException.of(Status.IO_ERROR, "expiring old uploads: " + e.getMessage());
        }
    }

    @Override
    public String describe() {
        return "s3://" + bucket + (prefix.isEmpty() ? "" : "/" + prefix);
    }

    @Override
    public void close() {
        calls.client().close();
    }

    S3Calls calls() {
        return calls;
    }

    S3Keys keys() {
        return keys;
    }

    S3Uploads uploads() {
        return uploads;
    }

    DigestSidecar sidecars() {
        return sidecars;
    }

    S3Settings settings() {
        return settings;
    }

    /** The usage cache of {@code user}, shared by all of this server's sessions of that account. */
    UsageCache usage(String user) {
        return usage.computeIfAbsent(user, u -> new UsageCache(settings.usageTtl));
    }
}
