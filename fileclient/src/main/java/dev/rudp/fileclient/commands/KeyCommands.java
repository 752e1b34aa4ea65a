package dev.rudp.fileclient.commands;

import static dev.rudp.fileclient.commands.Command.ArgKind.LOCAL;
import static dev.rudp.fileclient.commands.Command.ArgKind.NONE;

import dev.rudp.fileclient.connection.ClientException;
import dev.rudp.fileclient.connection.ExitCode;
import dev.rudp.fileclient.keys.Identity;
import dev.rudp.fileclient.keys.Keygen;
import dev.rudp.fileserver.auth.Ed25519Key;
import dev.rudp.fileserver.protocol.Op;
import dev.rudp.fileserver.protocol.Reply;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/** The user's own public keys on the server: add-key, keys, del-key. */
final class KeyCommands {
    private KeyCommands() {
    }

    static List<Command> all() {
        return List.of(
                new Command("add-key", List.of(), "add-key [FILE]",
                        "Register a public key with your account, so later logins need no password (default: the"
                                + " .pub of your identity, ~/.fileclient/id_ed25519.pub; a key pair is made there"
                                + " when you have none).", List.of(LOCAL), KeyCommands::add),
                new Command("keys", List.of(), "keys", "List the public keys registered with your account.",
                        List.of(NONE), (ctx, a) -> {
                            Opts.parse("keys", a, "", 0, 0);
                            Reply r = ctx.conn.call(Op.KEY_LIST, List.of());
                            if (r.lines().isEmpty()) {
                                ctx.out.println("no keys registered (add-key registers yours)");
                            }
                            for (String line : r.lines()) {
                                ctx.out.println(describe(Ed25519Key.parse(line)));
                            }
                        }),
                new Command("del-key", List.of(), "del-key FINGERPRINT|FILE",
                        "Remove one of your registered public keys, named by fingerprint (SHA256:..., as keys"
                                + " shows) or by its .pub file.", List.of(LOCAL), (ctx, a) -> {
                            Opts o = Opts.parse("del-key", a, "", 1, 1);
                            String which = o.operand(0, "");
                            if (!which.startsWith("SHA256:")) {
                                which = readPublic(ctx.resolveLocal(which), which).keyText();
                            }
                            Reply r = ctx.conn.call(Op.KEY_REMOVE, List.of(which));
                            ctx.out.println("removed " + describe(Ed25519Key.parse(r.lines().get(0))));
                        }));
    }

    private static void add(ClientContext ctx, List<String> a) throws ClientException {
        Opts o = Opts.parse("add-key", a, "", 0, 1);
        Ed25519Key key;
        if (o.operands.isEmpty()) {
            Path priv = ctx.identityFile();
            Path pub = Identity.publicFile(priv);
            if (Files.isRegularFile(pub)) {
                key = readPublic(pub, pub.toString());
            } else {
                try {
                    key = Keygen.loadOrCreate(priv, ctx.out).publicKey();
                } catch (IOException e) {
                    throw new ClientException(ExitCode.LOCAL_IO, e.getMessage());
                }
            }
        } else {
            key = readPublic(ctx.resolveLocal(o.operand(0, "")), o.operand(0, ""));
        }
        Reply r = ctx.conn.call(Op.KEY_ADD, List.of(key.line()));
        ctx.out.println((r.num(0, 0) == 1 ? "registered " : "already registered: ") + describe(key)
                + "; logins from here on offer it first");
    }

    private static String describe(Ed25519Key k) {
        return k.fingerprint() + (k.comment().isEmpty() ? "" : " " + k.comment());
    }

    /** The public key in {@code file}: its first line that is not blank or a comment. */
    private static Ed25519Key readPublic(Path file, String shown) throws ClientException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ClientException(ExitCode.NOT_FOUND, "no such file: " + shown);
        } catch (IOException e) {
            throw new ClientException(ExitCode.LOCAL_IO, "cannot read " + shown + ": " + e.getMessage());
        }
        for (String l : lines) {
            if (!l.isBlank() && !l.strip().startsWith("#")) {
                try {
                    return Ed25519Key.parse(l);
                } catch (IllegalArgumentException e) {
                    throw new ClientException(ExitCode.USAGE, shown + ": " + e.getMessage());
                }
            }
        }
        throw new ClientException(ExitCode.USAGE, shown + ": no public key in it");
    }
}
