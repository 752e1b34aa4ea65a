package dev.rudp.fileclient;

import dev.rudp.fileserver.auth.Account;
import dev.rudp.fileserver.auth.AccountStore;
import dev.rudp.fileserver.server.ServerIdentity;
import dev.rudp.fileserver.storage.s3.S3Backend;
import dev.rudp.fileserver.storage.s3.S3ClientFactory;
import java.net.URI;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * Run by {@link BalancedServersTest} on a host of its network (the test's own JVM cannot reach
 * that network): makes the bucket, the accounts {@code NAME} with password {@code secret-NAME}
 * (a cheap scrypt, as every test here) and the servers' shared identity, and prints
 * {@code fingerprint=SHA256:...}. Arguments: ENDPOINT BUCKET PREFIX NAME...; keys from
 * {@code AWS_ACCESS_KEY_ID} / {@code AWS_SECRET_ACCESS_KEY}.
 */
final class ScaleOutSetup {
    private ScaleOutSetup() {
    }

    public static void main(String[] args) throws Exception {
        S3ClientFactory factory = S3ClientFactory.builder().endpoint(URI.create(args[0]))
                .staticCredentials(System.getenv("AWS_ACCESS_KEY_ID"), System.getenv("AWS_SECRET_ACCESS_KEY")).build();
        try (S3AsyncClient raw = factory.newClient()) {
            raw.createBucket(b -> b.bucket(args[1])).get(60, TimeUnit.SECONDS);
        }
        S3Backend backend = S3Backend.open(factory, args[1], args[2]);
        try {
            AccountStore accounts = AccountStore.open(backend.records());
            for (int i = 3; i < args.length; i++) {
                accounts.put(new Account(args[i], false, TestServer.CHEAP.hash(("secret-" + args[i]).toCharArray())));
            }
            System.out.println("fingerprint=" + ServerIdentity.loadOrCreate(backend.records()).fingerprint());
        } finally {
            backend.close();
        }
        System.exit(0);
    }
}
