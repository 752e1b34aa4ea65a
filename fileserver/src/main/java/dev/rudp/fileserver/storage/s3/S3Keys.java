package dev.rudp.fileserver.storage.s3;

import dev.rudp.fileserver.protocol.ProtocolException;
import dev.rudp.fileserver.storage.PathRules;
import dev.rudp.fileserver.storage.Sha256;
import dev.rudp.fileserver.storage.UserPath;
import java.nio.charset.StandardCharsets;

/**
 * The bucket's layout, in one place. Under {@code PREFIX/}: each account's files at
 * {@code USER/path}, its folders as marker objects {@code USER/path/} (and as implied by deeper
 * keys), and the servers' own objects under {@code .rudp/} (account names never start with a dot):
 * {@code .rudp/records/NAME} ({@link S3Records}), {@code .rudp/sha256/H} (digest sidecars, H the
 * SHA-256 of the object's key), {@code .rudp/uploads/H/U/} (an unfinished upload's state: H of the
 * key, U of the upload id) and {@code .rudp/moves/H} (an unfinished folder move). Immutable.
 */
final class S3Keys {
    /** S3's limit on a key, in UTF-8 bytes. */
    static final int MAX_KEY = 1024;
    static final String SYSTEM = ".rudp/";

    private final String base;

    /** {@code prefix}: "" or segments without leading or trailing slash. */
    S3Keys(String prefix) {
        this.base = prefix.isEmpty() ? "" : prefix + "/";
    }

    /** "" or {@code PREFIX/}. */
    String base() {
        return base;
    }

    /** {@code PREFIX/USER/}: where an account's tree starts (its home's "marker"). */
    String home(String user) {
        return base + user + "/";
    }

    /** The object key of a file at {@code p} (the home itself has none: callers check). */
    String file(String user, UserPath p) {
        return home(user) + p.relative();
    }

    /** The prefix of everything below folder {@code p}, which is also its marker key. */
    String folder(String user, UserPath p) {
        return p.isRoot() ? home(user) : home(user) + p.relative() + "/";
    }

    /**
     * Refuses {@code p} with PATH_REFUSED when its folder marker (the longer of its two keys) would
     * not fit S3's {@value #MAX_KEY}-byte key limit.
     */
    void check(String user, UserPath p, String shown) throws ProtocolException {
        if (folder(user, p).getBytes(StandardCharsets.UTF_8).length > MAX_KEY) {
            throw PathRules.refused(shown, "too long for the object store (its keys hold at most " + MAX_KEY
                    + " bytes, prefix and account name included)");
        }
    }

    /** The user path of a key below {@code home(user)}, or null when it holds no valid path. */
    UserPath path(String user, String key) {
        String h = home(user);
        if (!key.startsWith(h)) {
            return null;
        }
        String rel = key.substring(h.length());
        if (rel.endsWith("/")) {
            rel = rel.substring(0, rel.length() - 1);
        }
        try {
            return UserPath.parse(rel);
        } catch (IllegalArgumentException e) {
            return null; // written beside the server with a name no client can use
        }
    }

    String record(String name) {
        return base + SYSTEM + "records/" + name;
    }

    String sidecar(String objectKey) {
        return base + SYSTEM + "sha256/" + hash(objectKey);
    }

    String uploadsRoot() {
        return base + SYSTEM + "uploads/";
    }

    /** The folder of one upload's state objects. */
    String upload(String objectKey, String uploadId) {
        return uploadsRoot() + hash(objectKey) + "/" + hash(uploadId).substring(0, 32) + "/";
    }

    String move(String user, UserPath from) {
        return base + SYSTEM + "moves/" + hash(user + "\0" + from.relative());
    }

    /** Lower-case hex SHA-256 of the UTF-8 of {@code s}. */
    static String hash(String s) {
        return Sha256.hex(s);
    }

    /** An ETag without its quotes (engines differ in whether they quote). */
    static String etag(String etag) {
        if (etag == null) {
            return "";
        }
        String e = etag.strip();
        return e.length() >= 2 && e.startsWith("\"") && e.endsWith("\"") ? e.substring(1, e.length() - 1) : e;
    }
}
