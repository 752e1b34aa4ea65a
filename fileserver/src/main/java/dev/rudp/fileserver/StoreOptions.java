package dev.rudp.fileserver;

import dev.rudp.fileserver.storage.StoreBackend;
import dev.rudp.fileserver.storage.local.LocalBackend;
import dev.rudp.fileserver.storage.s3.S3Backend;
import dev.rudp.fileserver.storage.s3.S3ClientFactory;
import dev.rudp.fileserver.storage.s3.S3Location;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;

/**
 * Where a command line says the files and records live: {@code --root DIR} (a data folder on this
 * machine) or {@code --store s3://BUCKET[/PREFIX]} with {@code --s3-endpoint URL} and
 * {@code --s3-region R} (a bucket every server started with the same store shares), and
 * {@code --s3-timeout SECONDS}, how long the store may stall a request before it fails. Credentials
 * come from the AWS SDK's default chain: {@code AWS_ACCESS_KEY_ID} / {@code AWS_SECRET_ACCESS_KEY},
 * a profile, ... (never from the command line, where other users could read them).
 */
final class StoreOptions {
    Path root;
    String store;
    String endpoint;
    String region;
    /** {@code --s3-timeout SECONDS}: the S3 stall timeout (null: the client's default, 30 s). */
    Long timeoutSeconds;

    /** Whether the files live in an object store. */
    boolean s3() {
        return store != null;
    }

    /** Checks the combination; one clear line when it is wrong. */
    void validate() throws ServerMain.UsageException {
        if (store == null && root == null) {
            throw new ServerMain.UsageException("--root DIR or --store s3://BUCKET[/PREFIX] is required");
        }
        if (store != null && root != null) {
            throw new ServerMain.UsageException("give --root DIR or --store s3://..., not both");
        }
        if (store == null && (endpoint != null || region != null || timeoutSeconds != null)) {
            throw new ServerMain.UsageException("--s3-endpoint, --s3-region and --s3-timeout go with --store s3://...");
        }
        if (store != null) {
            try {
                S3Location.parse(store);
            } catch (IllegalArgumentException e) {
                throw new ServerMain.UsageException(e.getMessage());
            }
            if (endpoint != null) {
                endpointUri();
            }
        }
    }

    /**
     * Opens the backend: the data folder, or the bucket after checking it (wrong credentials, a
     * missing bucket or an unreachable endpoint: an IOException with one clear line). The caller
     * closes it.
     */
    StoreBackend open() throws IOException, ServerMain.UsageException {
        validate();
        if (store == null) {
            return new LocalBackend(root);
        }
        S3Location loc = S3Location.parse(store);
        S3ClientFactory.Builder b = S3ClientFactory.builder().defaultCredentials();
        if (endpoint != null) {
            b.endpoint(endpointUri());
        }
        if (region != null) {
            b.region(region);
        }
        if (timeoutSeconds != null) {
            b.stallTimeout(java.time.Duration.ofSeconds(timeoutSeconds));
        }
        return S3Backend.open(b.build(), loc.bucket(), loc.prefix());
    }

    private URI endpointUri() throws ServerMain.UsageException {
        try {
            URI u = new URI(endpoint);
            if (u.getScheme() == null || !(u.getScheme().equals("http") || u.getScheme().equals("https"))
                    || u.getHost() == null) {
                throw new ServerMain.UsageException("--s3-endpoint must be an http:// or https:// URL, not " + endpoint);
            }
            return u;
        } catch (URISyntaxException e) {
            throw new ServerMain.UsageException("--s3-endpoint: not a URL: " + endpoint);
        }
    }
}
