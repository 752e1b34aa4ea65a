package dev.rudp.fileserver.storage.s3;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real S3 engine for tests: the one named by {@code RUDP_S3_ENDPOINT}, {@code RUDP_S3_ACCESS_KEY}
 * and {@code RUDP_S3_SECRET_KEY} (or the system properties {@code rudp.s3.endpoint},
 * {@code rudp.s3.accessKey}, {@code rudp.s3.secretKey}), as {@code .ci/run} sets them; otherwise one
 * this fixture starts with {@code bin/objectstore} in a folder of its own and stops on
 * {@link #close()}. If no engine can be had, {@link #open} throws with the reason: tests fail, they
 * never skip.
 */
public final class ObjectStoreFixture implements AutoCloseable {
    /** Bound on {@code bin/objectstore start}, a first install from Debian's packages included. */
    private static final long START_SECONDS = 240;
    /** How long the script itself waits for a working S3 PUT/GET once the daemons run. */
    private static final int ENGINE_WAIT_SECONDS = 150;
    private static final long STOP_SECONDS = 60;

    private final URI endpoint;
    private final String accessKey;
    private final String secretKey;
    private final Path startedIn;
    private final Path script;

    private ObjectStoreFixture(URI endpoint, String accessKey, String secretKey, Path startedIn, Path script) {
        this.endpoint = endpoint;
        this.accessKey = accessKey;
        this.secretKey = secretKey;
        this.startedIn = startedIn;
        this.script = script;
    }

    /**
     * The engine named by the environment, or a new one whose state lives under {@code scratch}.
     *
     * @throws IllegalStateException with the script's own error when no engine could be started
     */
    public static ObjectStoreFixture open(Path scratch) throws IOException, InterruptedException {
        String endpoint = setting("RUDP_S3_ENDPOINT", "rudp.s3.endpoint");
        if (endpoint != null) {
            String access = setting("RUDP_S3_ACCESS_KEY", "rudp.s3.accessKey");
            String secret = setting("RUDP_S3_SECRET_KEY", "rudp.s3.secretKey");
            if (access == null || secret == null) {
                throw new IllegalStateException("RUDP_S3_ENDPOINT is set but RUDP_S3_ACCESS_KEY or RUDP_S3_SECRET_KEY is not");
            }
            return new ObjectStoreFixture(URI.create(endpoint), access, secret, null, null);
        }
        Path script = findScript();
        Path data = scratch.resolve("objectstore");
        Path out = scratch.resolve("objectstore-start.out");
        Path err = scratch.resolve("objectstore-start.err");
        // a throwaway engine: nothing forced to disk (--no-fsync), as .ci/run's
        Process p = new ProcessBuilder(script.toString(), "start", "--data", data.toString(), "--port", "0",
                "--wait", Integer.toString(ENGINE_WAIT_SECONDS), "--no-fsync")
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        if (!p.waitFor(START_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            stop(script, data);
            throw new IllegalStateException("bin/objectstore start did not finish within " + START_SECONDS + " s");
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException("bin/objectstore start failed (exit " + p.exitValue() + "): "
                    + Files.readString(err, StandardCharsets.UTF_8).strip());
        }
        String line = Files.readString(out, StandardCharsets.UTF_8).strip();
        Map<String, String> fields = parse(line);
        if (!fields.keySet().containsAll(List.of("endpoint", "access_key", "secret_key"))) {
            stop(script, data);
            throw new IllegalStateException("bin/objectstore start printed an unexpected line: " + line);
        }
        return new ObjectStoreFixture(URI.create(fields.get("endpoint")), fields.get("access_key"),
                fields.get("secret_key"), data, script);
    }

    /** Parses {@code key=value key=value ...}. */
    static Map<String, String> parse(String line) {
        Map<String, String> fields = new HashMap<>();
        for (String word : line.split(" ")) {
            int eq = word.indexOf('=');
            if (eq > 0) {
                fields.put(word.substring(0, eq), word.substring(eq + 1));
            }
        }
        return fields;
    }

    /** The engine's base URL. */
    public URI endpoint() {
        return endpoint;
    }

    /** Its access key. */
    public String accessKey() {
        return accessKey;
    }

    /** Its secret key. */
    public String secretKey() {
        return secretKey;
    }

    /** A factory for this engine with its own keys. */
    public S3ClientFactory factory() {
        return S3ClientFactory.builder().endpoint(endpoint).staticCredentials(accessKey, secretKey).build();
    }

    /** Stops the engine if this fixture started it. */
    @Override
    public void close() throws IOException, InterruptedException {
        if (startedIn != null) {
            stop(script, startedIn);
        }
    }

    private static void stop(Path script, Path data) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(script.toString(), "stop", "--data", data.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(STOP_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("bin/objectstore stop did not finish within " + STOP_SECONDS + " s");
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException("bin/objectstore stop failed with exit " + p.exitValue());
        }
    }

    private static String setting(String env, String property) {
        String v = System.getProperty(property);
        if (v == null || v.isBlank()) {
            v = System.getenv(env);
        }
        return v == null || v.isBlank() ? null : v.strip();
    }

    /** bin/objectstore in the checkout: tests run from a module folder, the script is one level up. */
    private static Path findScript() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("bin").resolve("objectstore");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("bin/objectstore not found above " + Path.of("").toAbsolutePath()
                + " and RUDP_S3_ENDPOINT is not set");
    }
}
