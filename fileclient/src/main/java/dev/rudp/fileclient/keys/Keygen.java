package dev.rudp.fileclient.keys;

import dev.rudp.fileclient.connection.ExitCode;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;

/**
 * {@code fileclient keygen [-f FILE] [-C COMMENT] [--force]}: makes a key pair (default
 * {@code ~/.fileclient/id_ed25519} and {@code .pub}), refusing to overwrite one unless forced, and
 * says where it wrote and how to register the public key.
 */
public final class Keygen {
    static final String USAGE = "usage: fileclient keygen [-f FILE] [-C COMMENT] [--force]\n"
            + "  -f FILE     the private key file (default ~/.fileclient/id_ed25519; the public key goes to FILE.pub)\n"
            + "  -C COMMENT  the public key's comment (default user@host)\n"
            + "  --force     overwrite an existing key pair";

    private Keygen() {
    }

    /** Runs {@code keygen} with the arguments after it; returns the exit status. */
    public static int run(String[] argv, PrintStream out, PrintWriter err) {
        Path file = null;
        String comment = null;
        boolean force = false;
        for (int i = 0; i < argv.length; i++) {
            switch (argv[i]) {
                case "--force" -> force = true;
                case "-h", "--help" -> {
                    out.println(USAGE);
                    return 0;
                }
                case "-f", "-C" -> {
                    if (i + 1 >= argv.length) {
                        err.println("fileclient keygen: " + argv[i] + " needs a value");
                        err.println(USAGE);
                        return ExitCode.USAGE.code();
                    }
                    if (argv[i].equals("-f")) {
                        file = Path.of(argv[++i]);
                    } else {
                        comment = argv[++i];
                    }
                }
                default -> {
                    err.println("fileclient keygen: unexpected argument: " + argv[i]);
                    err.println(USAGE);
                    return ExitCode.USAGE.code();
                }
            }
        }
        Path target = file != null ? file : Identity.defaultFile();
        Identity id;
        try {
            id = Identity.generate(comment != null ? comment : Identity.defaultComment());
        } catch (IllegalArgumentException e) {
            err.println("fileclient keygen: " + e.getMessage());
            return ExitCode.USAGE.code();
        }
        try {
            id.save(target, force);
        } catch (FileAlreadyExistsException e) {
            err.println("fileclient keygen: " + e.getFile() + " exists; not overwritten (--force replaces the key pair,"
                    + " and the old key stops working wherever it is registered)");
            return ExitCode.USAGE.code();
        } catch (IOException e) {
            err.println("fileclient keygen: cannot write " + target + ": " + e.getMessage());
            return ExitCode.LOCAL_IO.code();
        }
        out.println("wrote private key " + target + " (mode 600)");
        out.println("wrote public key  " + Identity.publicFile(target));
        out.println("fingerprint " + id.publicKey().fingerprint() + " " + id.publicKey().comment());
        out.println("register it: add-key in a fileclient shell (after a password login), or on the server:"
                + " bin/fileserver addkey --root DIR NAME " + Identity.publicFile(target));
        return 0;
    }

    /**
     * The key pair for {@code add-key}: the one in {@code file} when it exists, else a new one written
     * there (said on {@code note}). Used on first use, as the issue asks.
     */
    public static Identity loadOrCreate(Path file, PrintWriter note) throws IOException {
        if (java.nio.file.Files.exists(file)) {
            return Identity.load(file);
        }
        Identity id = Identity.generate(Identity.defaultComment());
        id.save(file, false);
        note.println("created a key pair: " + file + " (private, mode 600) and " + Identity.publicFile(file));
        return id;
    }
}
