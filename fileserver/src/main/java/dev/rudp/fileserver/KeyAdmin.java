package dev.rudp.fileserver;

import dev.rudp.fileserver.auth.AccountStore;
import dev.rudp.fileserver.auth.AuthorizedKeys;
import dev.rudp.fileserver.auth.Ed25519Key;
import dev.rudp.fileserver.storage.SystemRecords;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** {@code fileserver addkey|keys|delkey}: the public keys registered per account. */
final class KeyAdmin {
    private KeyAdmin() {
    }

    static int run(String command, SystemRecords records, List<String> operands, PrintStream out, PrintStream err)
            throws IOException, ServerMain.UsageException {
        int want = command.equals("keys") ? 1 : 2;
        if (operands.size() != want) {
            throw new ServerMain.UsageException(command.equals("keys") ? "expected one account NAME"
                    : "expected NAME and " + (command.equals("addkey") ? "KEYFILE" : "FINGERPRINT or KEYFILE"));
        }
        String name = operands.get(0);
        if (AccountStore.open(records).find(name).isEmpty()) {
            err.println("fileserver: no such account: " + name);
            return 1;
        }
        AuthorizedKeys keys = AuthorizedKeys.open(records);
        switch (command) {
            case "addkey" -> {
                Ed25519Key key = readKey(operands.get(1));
                if (key == null) {
                    err.println("fileserver: " + operands.get(1) + ": no public key in it");
                    return 1;
                }
                boolean added;
                try {
                    added = keys.add(name, key);
                } catch (IllegalArgumentException e) {
                    err.println("fileserver: " + e.getMessage());
                    return 1;
                }
                out.println((added ? "added key " : "key already registered: ") + key.fingerprint()
                        + (key.comment().isEmpty() ? "" : " (" + key.comment() + ")") + " for " + name);
                return 0;
            }
            case "keys" -> {
                for (Ed25519Key k : keys.list(name)) {
                    out.println(k.fingerprint() + (k.comment().isEmpty() ? "" : " " + k.comment()));
                }
                return 0;
            }
            default -> {
                String which = operands.get(1);
                if (!which.startsWith("SHA256:")) {
                    Ed25519Key key = readKey(which);
                    if (key == null) {
                        err.println("fileserver: " + which + ": no public key in it");
                        return 1;
                    }
                    which = key.keyText();
                }
                Optional<Ed25519Key> gone = keys.remove(name, which);
                if (gone.isEmpty()) {
                    err.println("fileserver: " + name + " has no key " + which);
                    return 1;
                }
                out.println("removed key " + gone.get().fingerprint() + " of " + name);
                return 0;
            }
        }
    }

    /** The key in {@code file} ("-": stdin): its first line that is not blank or a comment; null if none. */
    private static Ed25519Key readKey(String file) throws IOException {
        List<String> lines;
        try {
            lines = file.equals("-")
                    ? new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).lines().toList()
                    : Files.readAllLines(Path.of(file), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IOException("no such key file: " + file);
        }
        for (String l : lines) {
            if (!l.isBlank() && !l.strip().startsWith("#")) {
                try {
                    return Ed25519Key.parse(l);
                } catch (IllegalArgumentException e) {
                    throw new IOException(file + ": " + e.getMessage());
                }
            }
        }
        return null;
    }
}
