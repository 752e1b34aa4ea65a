package dev.rudp.fileserver.storage.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rudp.fileserver.ServerMain;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fileserver ... --store s3://...} against the real engine: the account, key and identity
 * commands keep their records in the bucket, and a store that cannot be used stops the command with
 * one clear line. Credentials reach the SDK's default chain as the {@code aws.accessKeyId} /
 * {@code aws.secretAccessKey} system properties (the environment cannot be set from a test).
 */
@Timeout(180)
class ServerMainStoreTest {
    @TempDir
    static Path scratch;

    private static TestBucket bucket;

    /** What one command printed and returned. */
    private record Result(int status, String out, String err) {
    }

    @BeforeAll
    static void open() throws Exception {
        bucket = new TestBucket(scratch);
    }

    @AfterAll
    static void close() throws Exception {
        System.clearProperty("aws.accessKeyId");
        System.clearProperty("aws.secretAccessKey");
        if (bucket != null) {
            bucket.close();
        }
    }

    private Result runAs(String access, String secret, String stdin, String... args) {
        System.setProperty("aws.accessKeyId", access);
        System.setProperty("aws.secretAccessKey", secret);
        InputStream saved = System.in;
        System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            int status = ServerMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8));
            return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setIn(saved);
        }
    }

    private Result run(String stdin, String... args) {
        return runAs(bucket.engine.accessKey(), bucket.engine.secretKey(), stdin, args);
    }

    private String[] store(String prefix, String... rest) {
        List<String> a = new ArrayList<>(List.of(rest));
        a.addAll(1, List.of("--store", "s3://" + bucket.name + "/" + prefix, "--s3-endpoint",
                bucket.engine.endpoint().toString()));
        return a.toArray(String[]::new);
    }

    @Test
    void accountsAndIdentityLiveInTheBucket() {
        assertEquals(0, run("pw-1\n", store("cli", "adduser", "--admin", "alice")).status());
        Result again = run("pw-2\n", store("cli", "adduser", "alice"));
        assertEquals(1, again.status(), "the second adduser sees the first one's account in the bucket");
        assertTrue(again.err().contains("account exists: alice"), again.err());
        assertEquals(0, run("pw-3\n", store("cli", "passwd", "alice")).status());
        assertTrue(bucket.keys("cli/.rudp/").stream().anyMatch(k -> k.endsWith("/accounts")), bucket.keys("cli/").toString());

        Result first = run("", store("cli", "fingerprint"));
        Result second = run("", store("cli", "fingerprint"));
        assertEquals(0, first.status(), first.err());
        assertTrue(first.out().startsWith("SHA256:"), first.out());
        assertTrue(first.err().contains("created a new server identity in s3://" + bucket.name + "/cli"), first.err());
        assertEquals(first.out(), second.out(), "every server on the bucket answers with the same fingerprint");
        assertEquals("", second.err());
        Result other = run("", store("other", "fingerprint"));
        assertTrue(!other.out().equals(first.out()), "another prefix is another service");

        Result del = run("", store("cli", "deluser", "alice"));
        assertEquals(0, del.status(), del.err());
        assertTrue(del.out().contains("its files stay in s3://" + bucket.name + "/cli/alice/"), del.out());
        assertEquals(1, run("", store("cli", "deluser", "alice")).status());
    }

    @Test
    void aStoreThatCannotBeUsedStopsTheCommandWithOneLine() {
        Result creds = runAs(bucket.engine.accessKey(), "wrong-secret", "pw\n", store("cli", "adduser", "bob"));
        assertEquals(1, creds.status());
        assertOneLine(creds.err(), "credentials");

        Result serve = runAs(bucket.engine.accessKey(), "wrong-secret", "", store("cli", "serve", "--bind", "127.0.0.1",
                "--port", "0"));
        assertEquals(1, serve.status(), "the server refuses to start");
        assertOneLine(serve.err(), "credentials");

        Result noBucket = run("", "fingerprint", "--store", "s3://no-such-bucket-" + (System.nanoTime() % 100000),
                "--s3-endpoint", bucket.engine.endpoint().toString());
        assertEquals(1, noBucket.status());
        assertOneLine(noBucket.err(), "does not exist");

        Result unreachable = run("", "fingerprint", "--store", "s3://" + bucket.name, "--s3-endpoint",
                "http://127.0.0.1:1");
        assertEquals(1, unreachable.status());
        assertOneLine(unreachable.err(), "cannot reach");
    }

    @Test
    void badStoreOptionsAreUsageErrors() {
        assertEquals(2, run("", "fingerprint", "--store", "s3://Bad_Bucket").status());
        assertEquals(2, run("", "fingerprint", "--store", "s3://bucket/../up").status());
        assertEquals(2, run("", "fingerprint", "--store", "http://bucket").status());
        assertEquals(2, run("", "fingerprint", "--store", "s3://bucket", "--root", scratch.toString()).status());
        assertEquals(2, run("", "fingerprint", "--root", scratch.toString(), "--s3-endpoint", "http://x").status());
        assertEquals(2, run("", "fingerprint", "--store", "s3://bucket", "--s3-endpoint", "ftp://x").status());
        assertEquals(2, run("", "fingerprint").status(), "no store at all");
    }

    private static void assertOneLine(String err, String mentions) {
        String text = err.strip();
        assertTrue(!text.isEmpty() && !text.contains("\n"), "one line: " + err);
        assertTrue(text.contains(mentions), "mentions '" + mentions + "': " + err);
        assertTrue(!text.contains("wrong-secret"), "no secret in the message: " + err);
    }
}
