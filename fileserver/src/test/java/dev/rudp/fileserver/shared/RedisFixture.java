package dev.rudp.fileserver.shared;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A real redis-server for tests: the one named by {@code RUDP_REDIS_URL} (or the system property
 * {@code rudp.redis.url}), as {@code .ci/run} sets it, or else one this fixture starts with
 * {@code bin/redis} in a folder of its own and stops on {@link #close()}. {@link #own} always starts
 * its own, for tests that stop and restart it. If none can be had, {@link #open} throws with the
 * script's reason: tests fail, they never skip.
 */
final class RedisFixture implements AutoCloseable {
    /** Bound on {@code bin/redis start}, a first install from Debian's packages included. */
    private static final long START_SECONDS = 240;
    private static final long STOP_SECONDS = 30;

    private final Path data;
    private final Path script;
    private volatile String url;

    private RedisFixture(String url, Path data, Path script) {
        this.url = url;
        this.data = data;
        this.script = script;
    }

    /** The Redis named by the environment, or a new one whose state lives under {@code scratch}. */
    static RedisFixture open(Path scratch) throws IOException, InterruptedException {
        String url = System.getProperty("rudp.redis.url");
        if (url == null || url.isBlank()) {
            url = System.getenv("RUDP_REDIS_URL");
        }
        if (url != null && !url.isBlank()) {
            return new RedisFixture(url.strip(), null, null);
        }
        return own(scratch);
    }

    /** A Redis of this fixture's own under {@code scratch}, which {@link #stop} and {@link #start} control. */
    static RedisFixture own(Path scratch) throws IOException, InterruptedException {
        RedisFixture f = new RedisFixture(null, scratch.resolve("redis"), findScript());
        f.start();
        return f;
    }

    /** {@code redis://:PASSWORD@127.0.0.1:PORT}. */
    String url() {
        return url;
    }

    /** Settings for a server on this Redis with its own key prefix. */
    SharedStoreSettings settings(String prefix) {
        return SharedStoreSettings.parse(url, null, prefix);
    }

    /** (Re)starts this fixture's own Redis; on the same folder it keeps its port and password. */
    void start() throws IOException, InterruptedException {
        if (data == null) {
            throw new IllegalStateException("not this fixture's own Redis");
        }
        Files.createDirectories(data.getParent());
        Path out = data.getParent().resolve("redis-start.out");
        Path err = data.getParent().resolve("redis-start.err");
        Process p = new ProcessBuilder(script.toString(), "start", "--data", data.toString())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(START_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            stop();
            throw new IllegalStateException("bin/redis start did not finish within " + START_SECONDS + " s");
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException("bin/redis start failed (exit " + p.exitValue() + "): "
                    + Files.readString(err, StandardCharsets.UTF_8).strip());
        }
        String line = Files.readString(out, StandardCharsets.UTF_8).strip();
        if (!line.startsWith("url=redis://")) {
            stop();
            throw new IllegalStateException("bin/redis start printed an unexpected line");
        }
        String started = line.substring("url=".length());
        if (url != null && !url.equals(started)) {
            throw new IllegalStateException("bin/redis restarted on another port or password");
        }
        url = started;
    }

    /** Stops this fixture's own Redis (what a crash or an operator's stop looks like to the servers). */
    void stop() throws IOException, InterruptedException {
        Process p = new ProcessBuilder(script.toString(), "stop", "--data", data.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(STOP_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("bin/redis stop did not finish within " + STOP_SECONDS + " s");
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException("bin/redis stop failed with exit " + p.exitValue());
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        if (data != null) {
            stop();
        }
    }

    /** bin/redis in the checkout: tests run from a module folder, the script is one level up. */
    private static Path findScript() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("bin").resolve("redis");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("bin/redis not found above " + Path.of("").toAbsolutePath()
                + " and RUDP_REDIS_URL is not set");
    }
}
