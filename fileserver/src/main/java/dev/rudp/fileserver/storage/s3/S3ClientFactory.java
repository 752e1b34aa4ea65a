package dev.rudp.fileserver.storage.s3;

import dev.rudp.fileserver.storage.s3.S3StoreException.Reason;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.LegacyMd5Plugin;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3AsyncClientBuilder;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Builds the AWS SDK's {@link S3AsyncClient} (on its Netty HTTP client) with the settings that S3
 * engines other than AWS need, and checks a bucket with one clear line on failure.
 *
 * <p>Settings, each needed against OpenStack Swift's s3api or Ceph RGW (see the project's scale-out
 * research note): a custom endpoint with path-style addressing; region {@value #DEFAULT_REGION}
 * unless told otherwise; request checksums and response checksum validation only when an
 * operation requires them; no aws-chunked bodies (the SDK sends the payload's SHA-256 up front,
 * which the store verifies); Content-MD5 on the operations that had it before the SDK's flexible
 * checksums ({@link LegacyMd5Plugin}: Swift demands it on multi-object delete); and no SDK-driven
 * multipart (its downloads use {@code ?partNumber=}, which Swift refuses): callers drive multipart
 * uploads themselves.
 *
 * <pre>{@code
 * S3ClientFactory s3 = S3ClientFactory.builder()
 *         .endpoint(URI.create("http://127.0.0.1:8080"))     // omit for AWS itself
 *         .defaultCredentials()                               // AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, ...
 *         .build();
 * try (S3AsyncClient client = s3.newClient()) {
 *     s3.check(client, "files");                              // S3StoreException: one line, with a Reason
 * }
 * }</pre>
 *
 * <p>Immutable and thread-safe. Each {@link #newClient()} owns its own connection pool and event
 * loops (the SDK is built on Netty 4.1 and must not be handed this project's Netty 4.2 event
 * loops); close the client when done.
 */
public final class S3ClientFactory {
    /** The region used when none is given (what Swift and Ceph answer to by default). */
    public static final String DEFAULT_REGION = "us-east-1";
    /** Default TCP connect timeout: 5 s. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** Default bound on the whole of {@link #check}: 20 s. */
    public static final Duration DEFAULT_CHECK_TIMEOUT = Duration.ofSeconds(20);
    /**
     * Default stall timeout: 30 s. The longest the store may go without answering or taking bytes
     * (the HTTP client's read and write timeouts); a whole request attempt is bounded by
     * {@value #ATTEMPT_STALLS} times it, which ends an answer trickled too slowly. A stalled attempt
     * is retried by the SDK's retry policy (with backoff, like a 5xx), then fails with one line.
     */
    public static final Duration DEFAULT_STALL_TIMEOUT = Duration.ofSeconds(30);
    /** A request attempt may take this many stall timeouts (8 MiB at 70 KB/s for the default). */
    public static final int ATTEMPT_STALLS = 4;
    /** Default number of concurrent HTTP connections per client: 64. */
    public static final int DEFAULT_MAX_CONCURRENCY = 64;

    private static final Set<String> CREDENTIAL_ERRORS = Set.of("InvalidAccessKeyId",
            "SignatureDoesNotMatch", "InvalidToken", "ExpiredToken", "InvalidSecurity",
            "InvalidClientTokenId", "AuthorizationHeaderMalformed");

    private final URI endpoint;
    private final Region region;
    private final AwsCredentialsProvider credentials;
    private final boolean pathStyle;
    private final int maxConcurrency;
    private final Duration connectTimeout;
    private final Duration stallTimeout;
    private final Duration checkTimeout;

    private S3ClientFactory(Builder b) {
        this.endpoint = b.endpoint;
        this.region = Region.of(b.region);
        this.credentials = b.credentials != null ? b.credentials : DefaultCredentialsProvider.builder().build();
        this.pathStyle = b.pathStyle;
        this.maxConcurrency = b.maxConcurrency;
        this.connectTimeout = b.connectTimeout;
        this.stallTimeout = b.stallTimeout;
        this.checkTimeout = b.checkTimeout;
    }

    /** A builder with the defaults above: AWS's endpoint, {@value #DEFAULT_REGION}, the default credential chain. */
    public static Builder builder() {
        return new Builder();
    }

    /** A new client with this factory's settings; the caller closes it. */
    public S3AsyncClient newClient() {
        S3AsyncClientBuilder b = S3AsyncClient.builder()
                .httpClientBuilder(NettyNioAsyncHttpClient.builder()
                        .maxConcurrency(maxConcurrency)
                        .connectionTimeout(connectTimeout)
                        .readTimeout(stallTimeout)
                        .writeTimeout(stallTimeout))
                .overrideConfiguration(o -> o.apiCallAttemptTimeout(stallTimeout.multipliedBy(ATTEMPT_STALLS)))
                .region(region)
                .credentialsProvider(credentials)
                .forcePathStyle(pathStyle)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .serviceConfiguration(S3Configuration.builder().chunkedEncodingEnabled(false).build())
                .addPlugin(LegacyMd5Plugin.create())
                .multipartEnabled(false);
        if (endpoint != null) {
            b.endpointOverride(endpoint);
        }
        return b.build();
    }

    /**
     * Checks that the credentials are found and accepted and that {@code bucket} exists and can be
     * listed, within the check timeout. Blocking: never call on an event loop.
     *
     * @throws S3StoreException with a one-line message and its {@link Reason}
     */
    public void check(S3AsyncClient client, String bucket) throws S3StoreException {
        Objects.requireNonNull(bucket, "bucket");
        try {
            credentials.resolveCredentials();
        } catch (SdkException e) {
            throw new S3StoreException(Reason.BAD_CREDENTIALS, "no S3 credentials found for " + where()
                    + ": set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY", e);
        }
        CompletableFuture<ListObjectsV2Response> listing = client.listObjectsV2(r -> r.bucket(bucket).maxKeys(1)
                .overrideConfiguration(o -> o.apiCallTimeout(checkTimeout)));
        try {
            // The SDK's own timeout ends the call; this one only guards against a future never completed.
            listing.get(checkTimeout.toMillis() + 5_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw translate(e.getCause(), bucket);
        } catch (TimeoutException e) {
            listing.cancel(true);
            throw new S3StoreException(Reason.UNREACHABLE, "cannot reach " + where() + ": no answer within "
                    + checkTimeout.toSeconds() + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            listing.cancel(true);
            throw new S3StoreException(Reason.UNREACHABLE, "interrupted while checking " + where(), e);
        }
    }

    /**
     * Turns a failure from this factory's clients (an {@link S3Exception}, an SDK client error, or
     * either wrapped in a {@link CompletionException}) into an {@link S3StoreException} with a one-line
     * message naming the endpoint and, where it matters, the bucket.
     */
    public S3StoreException translate(Throwable failure, String bucket) {
        Throwable t = failure;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof S3StoreException e) {
            return e;
        }
        if (t instanceof S3Exception e) {
            return fromService(e, bucket);
        }
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (stalled(c)) {
                // the SDK's own text for this is a paragraph; the user needs what happened and the bound
                return new S3StoreException(Reason.UNREACHABLE, where() + " stalled: no progress within "
                        + stallTimeout.toMillis() / 1000.0 + " s (tried again, then gave up)", t);
            }
            if (c instanceof ConnectException) {
                return new S3StoreException(Reason.UNREACHABLE, "cannot reach " + where() + ": "
                        + firstLine(c.getMessage(), "connection refused"), t);
            }
            if (c instanceof UnknownHostException) {
                return new S3StoreException(Reason.UNREACHABLE, "cannot reach " + where() + ": unknown host "
                        + firstLine(c.getMessage(), ""), t);
            }
            if (c instanceof ApiCallTimeoutException || c instanceof ApiCallAttemptTimeoutException
                    || c instanceof TimeoutException || c.getClass().getSimpleName().endsWith("TimeoutException")) {
                // The SDK retries refused connections too: a short bound can end them as a timeout.
                return new S3StoreException(Reason.UNREACHABLE, "cannot reach " + where()
                        + ": no answer in time (" + firstLine(c.getMessage(), "timeout") + ")", t);
            }
            if (c instanceof SSLException) {
                return new S3StoreException(Reason.UNREACHABLE, "TLS with " + where() + " failed: "
                        + firstLine(c.getMessage(), c.getClass().getSimpleName()), t);
            }
        }
        if (t instanceof IOException || t.getCause() instanceof IOException) {
            Throwable io = t instanceof IOException ? t : t.getCause();
            return new S3StoreException(Reason.UNREACHABLE, "cannot reach " + where() + ": "
                    + firstLine(io.getMessage(), io.getClass().getSimpleName()), t);
        }
        return new S3StoreException(Reason.FAILED, "S3 request to " + where() + " failed: "
                + firstLine(t.getMessage(), t.getClass().getSimpleName()), t);
    }

    /** Whether {@code c} is the HTTP client's read or write timeout: the store stopped answering or taking bytes. */
    private static boolean stalled(Throwable c) {
        String name = c.getClass().getSimpleName();
        String m = c.getMessage() == null ? "" : c.getMessage();
        return name.equals("ReadTimeoutException") || name.equals("WriteTimeoutException")
                || m.startsWith("No data was written to the request body within")
                || m.startsWith("Read timed out");
    }

    private S3StoreException fromService(S3Exception e, String bucket) {
        String code = e.awsErrorDetails() != null ? e.awsErrorDetails().errorCode() : null;
        int status = e.statusCode();
        if ("NoSuchBucket".equals(code) || (status == 404 && code == null)) {
            return new S3StoreException(Reason.NO_BUCKET, "bucket " + bucket + " does not exist at " + where(), e);
        }
        if ((code != null && CREDENTIAL_ERRORS.contains(code)) || status == 401) {
            return new S3StoreException(Reason.BAD_CREDENTIALS, where() + " refused the credentials ("
                    + (code != null ? code : "HTTP " + status)
                    + "): check the access key and secret (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY)", e);
        }
        if ("AccessDenied".equals(code) || status == 403) {
            return new S3StoreException(Reason.ACCESS_DENIED, "access to bucket " + bucket + " at " + where()
                    + " denied (" + (code != null ? code : "HTTP 403") + ")", e);
        }
        String detail = e.awsErrorDetails() != null ? e.awsErrorDetails().errorMessage() : null;
        return new S3StoreException(Reason.FAILED, where() + " answered " + (code != null ? code + " " : "")
                + "(HTTP " + status + ") for bucket " + bucket
                + (detail != null && !detail.isBlank() ? ": " + firstLine(detail, "") : ""), e);
    }

    /** The endpoint as messages name it: its URL, or "AWS S3 (REGION)". */
    public String where() {
        return endpoint != null ? "S3 endpoint " + endpoint : "AWS S3 (" + region.id() + ")";
    }

    private static String firstLine(String message, String fallback) {
        if (message == null || message.isBlank()) {
            return fallback;
        }
        String line = message.strip();
        int nl = line.indexOf('\n');
        return nl < 0 ? line : line.substring(0, nl).strip();
    }

    /** Settings for an {@link S3ClientFactory}; every setter documents its default. */
    public static final class Builder {
        private URI endpoint;
        private String region = DEFAULT_REGION;
        private AwsCredentialsProvider credentials;
        private boolean pathStyle = true;
        private int maxConcurrency = DEFAULT_MAX_CONCURRENCY;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration stallTimeout = DEFAULT_STALL_TIMEOUT;
        private Duration checkTimeout = DEFAULT_CHECK_TIMEOUT;

        private Builder() {
        }

        /**
         * The store's base URL, {@code http(s)://host[:port]} (default: none, i.e. AWS's own endpoint
         * for the region).
         *
         * @throws IllegalArgumentException for anything but an http or https URL with a host and no path
         */
        public Builder endpoint(URI endpoint) {
            if (endpoint != null) {
                String scheme = endpoint.getScheme() == null ? "" : endpoint.getScheme().toLowerCase(Locale.ROOT);
                if (!scheme.equals("http") && !scheme.equals("https") || endpoint.getHost() == null
                        || (endpoint.getRawPath() != null && !endpoint.getRawPath().isEmpty()
                                && !endpoint.getRawPath().equals("/"))
                        || endpoint.getRawQuery() != null || endpoint.getRawUserInfo() != null) {
                    throw new IllegalArgumentException("S3 endpoint must look like http(s)://host[:port]: " + endpoint);
                }
            }
            this.endpoint = endpoint;
            return this;
        }

        /** The signing region (default {@value #DEFAULT_REGION}). */
        public Builder region(String region) {
            if (region == null || region.isBlank() || !region.matches("[a-z0-9-]+")) {
                throw new IllegalArgumentException("S3 region must be lower-case letters, digits and dashes: " + region);
            }
            this.region = region;
            return this;
        }

        /** Fixed keys (default: the SDK's default chain, see {@link #defaultCredentials()}). */
        public Builder staticCredentials(String accessKeyId, String secretAccessKey) {
            this.credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create(
                    Objects.requireNonNull(accessKeyId, "accessKeyId"),
                    Objects.requireNonNull(secretAccessKey, "secretAccessKey")));
            return this;
        }

        /**
         * The SDK's default chain (the default): system properties {@code aws.accessKeyId} /
         * {@code aws.secretAccessKey}, then {@code AWS_ACCESS_KEY_ID} / {@code AWS_SECRET_ACCESS_KEY},
         * then web identity, the profile file, container and instance credentials.
         */
        public Builder defaultCredentials() {
            this.credentials = null;
            return this;
        }

        /** Any credentials provider, e.g. a custom chain (default: the SDK's default chain). */
        public Builder credentialsProvider(AwsCredentialsProvider provider) {
            this.credentials = Objects.requireNonNull(provider, "provider");
            return this;
        }

        /** Path-style addressing, {@code endpoint/bucket/key} (default true: what custom endpoints need). */
        public Builder pathStyle(boolean pathStyle) {
            this.pathStyle = pathStyle;
            return this;
        }

        /** Concurrent HTTP connections per client (default {@value #DEFAULT_MAX_CONCURRENCY}). */
        public Builder maxConcurrency(int maxConcurrency) {
            if (maxConcurrency < 1) {
                throw new IllegalArgumentException("maxConcurrency must be at least 1: " + maxConcurrency);
            }
            this.maxConcurrency = maxConcurrency;
            return this;
        }

        /** TCP connect timeout (default 5 s). */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive(timeout, "connectTimeout");
            return this;
        }

        /**
         * Longest wait for the store to answer or take bytes before the attempt fails (default 30 s;
         * an attempt as a whole gets {@value S3ClientFactory#ATTEMPT_STALLS} times it).
         */
        public Builder stallTimeout(Duration timeout) {
            this.stallTimeout = positive(timeout, "stallTimeout");
            return this;
        }

        /** Bound on {@link S3ClientFactory#check}, retries included (default 20 s). */
        public Builder checkTimeout(Duration timeout) {
            this.checkTimeout = positive(timeout, "checkTimeout");
            return this;
        }

        /** The factory. */
        public S3ClientFactory build() {
            return new S3ClientFactory(this);
        }

        private static Duration positive(Duration d, String name) {
            if (d == null || d.isZero() || d.isNegative()) {
                throw new IllegalArgumentException(name + " must be positive: " + d);
            }
            return d;
        }
    }
}
