package dev.rudp.fileserver.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The accounts file {@code accounts} in the data folder, one line per account:
 * {@code name:admin|user:scrypt$...}. Only hashes are stored. Writes go to a temporary file that
 * replaces the old one atomically, readable by the owner only. Thread-safe.
 */
public final class AccountStore {
    private final Path file;
    private final Map<String, Account> accounts = new LinkedHashMap<>();

    private AccountStore(Path file) {
        this.file = file;
    }

    /** Loads {@code dataDir/accounts} (absent: no accounts). */
    public static AccountStore open(Path dataDir) throws IOException {
        AccountStore s = new AccountStore(dataDir.resolve("accounts"));
        if (Files.exists(s.file)) {
            for (String line : Files.readAllLines(s.file, StandardCharsets.UTF_8)) {
                String[] f = line.split(":", 3);
                if (f.length == 3 && Account.validName(f[0])) {
                    s.accounts.put(f[0], new Account(f[0], f[1].equals("admin"), f[2]));
                }
            }
        }
        return s;
    }

    /** The account named {@code name}. */
    public synchronized Optional<Account> find(String name) {
        return Optional.ofNullable(accounts.get(name));
    }

    /** All account names. */
    public synchronized List<String> names() {
        return new ArrayList<>(accounts.keySet());
    }

    /** Adds or replaces an account and saves the file. */
    public synchronized void put(Account a) throws IOException {
        if (!Account.validName(a.name())) {
            throw new IllegalArgumentException("invalid account name: " + a.name()
                    + " (use 1-32 of A-Z a-z 0-9 . _ -, not starting with a dot)");
        }
        accounts.put(a.name(), a);
        save();
    }

    /** Removes an account; false when there was none. */
    public synchronized boolean remove(String name) throws IOException {
        if (accounts.remove(name) == null) {
            return false;
        }
        save();
        return true;
    }

    private void save() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (Account a : accounts.values()) {
            sb.append(a.name()).append(':').append(a.admin() ? "admin" : "user").append(':').append(a.hash())
                    .append('\n');
        }
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling("accounts.tmp");
        Files.writeString(tmp, sb, StandardCharsets.UTF_8);
        try {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: keep the default permissions
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
