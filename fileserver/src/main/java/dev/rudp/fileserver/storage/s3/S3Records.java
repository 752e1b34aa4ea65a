package dev.rudp.fileserver.storage.s3;

import dev.rudp.fileserver.storage.SystemRecords;
import java.io.IOException;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

/**
 * The servers' shared records as objects {@code PREFIX/.rudp/records/NAME}: a PUT replaces one
 * whole (readers see the old or the new object, never a mix), and the version is the ETag, so a
 * server caching the accounts re-reads them with one HEAD when another server changed them.
 * Access is whatever the bucket's credentials allow: keep the bucket private.
 */
final class S3Records implements SystemRecords {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,128}");

    private final S3Calls calls;
    private final S3Keys keys;

    S3Records(S3Calls calls, S3Keys keys) {
        this.calls = calls;
        this.keys = keys;
    }

    @Override
    public byte[] read(String name) throws IOException {
        return calls.get(key(name));
    }

    @Override
    public void write(String name, byte[] content) throws IOException {
        calls.put(key(name), content.clone());
    }

    @Override
    public String version(String name) throws IOException {
        HeadObjectResponse h = calls.head(key(name));
        return h == null ? null : S3Keys.etag(h.eTag()) + "/" + h.contentLength();
    }

    private String key(String name) {
        if (!NAME.matcher(name).matches() || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("invalid record name: " + name);
        }
        return keys.record(name);
    }
}
