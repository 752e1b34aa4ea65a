package dev.rudp.bench.load;

import dev.rudp.fileclient.keys.Identity;
import dev.rudp.fileserver.auth.Account;
import dev.rudp.fileserver.auth.AccountStore;
import dev.rudp.fileserver.auth.AuthorizedKeys;
import dev.rudp.fileserver.auth.PasswordHasher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** A server data folder's account that logs in by key, for the tests that run bin/fileclient. */
final class KeyAccount {
    private KeyAccount() {
    }

    /**
     * Creates {@code user} in {@code data} (a password nobody uses, an empty home) with a new key pair
     * saved at {@code key} (and {@code key}.pub) as its registered key.
     */
    static void create(Path data, String user, Path key) throws Exception {
        Identity id = Identity.generate(user);
        id.save(key, true);
        AccountStore.open(data).put(new Account(user, false, PasswordHasher.DEFAULT.hash("unused-pw".toCharArray())));
        AuthorizedKeys.open(data).add(user, id.publicKey());
        Files.createDirectories(data.resolve("home").resolve(user));
    }

    /**
     * bin/fileclient's options for {@code user} logging in to {@code server} with {@code key}, the
     * server pinned by its fingerprint as a user's client pins it, progress quiet.
     */
    static List<String> options(ServerProc server, String user, Path key) {
        return List.of("--port", String.valueOf(server.port), "--user", user, "-i", key.toString(),
                "--fingerprint", server.fingerprint, "-q");
    }
}
