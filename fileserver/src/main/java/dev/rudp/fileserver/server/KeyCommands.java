package dev.rudp.fileserver.server;

import dev.rudp.fileserver.auth.AuthorizedKeys;
import dev.rudp.fileserver.auth.Ed25519Key;
import dev.rudp.fileserver.protocol.ProtocolException;
import dev.rudp.fileserver.protocol.Reply;
import dev.rudp.fileserver.protocol.Request;
import dev.rudp.fileserver.protocol.Status;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * KEY_ADD, KEY_LIST and KEY_REMOVE of a logged-in session: each account manages its own keys only.
 * Blocking (the keys file): runs on the session's serial executor.
 */
final class KeyCommands {
    private KeyCommands() {
    }

    static Reply run(Request r, AuthorizedKeys keys, String user, ServerLog log, String who) throws ProtocolException {
        try {
            switch (r.op()) {
                case KEY_ADD: {
                    Ed25519Key key;
                    try {
                        key = Ed25519Key.parse(r.arg(0, ""));
                    } catch (IllegalArgumentException e) {
                        throw ProtocolException.of(Status.BAD_REQUEST, "add-key: " + e.getMessage());
                    }
                    boolean added;
                    try {
                        added = keys.add(user, key);
                    } catch (IllegalArgumentException e) {
                        throw ProtocolException.of(Status.PERMISSION_DENIED, e.getMessage());
                    }
                    if (added) {
                        log.event("key-added", who, key.fingerprint());
                    }
                    return Reply.ok(r.id(), List.of(key.fingerprint()), added ? 1 : 0);
                }
                case KEY_LIST: {
                    List<String> lines = new ArrayList<>();
                    for (Ed25519Key k : keys.list(user)) {
                        lines.add(k.line());
                    }
                    return Reply.ok(r.id(), lines);
                }
                case KEY_REMOVE: {
                    String which = r.arg(0, "");
                    Optional<Ed25519Key> gone = keys.remove(user, which);
                    if (gone.isEmpty()) {
                        throw ProtocolException.of(Status.NOT_FOUND, "no such key: " + which);
                    }
                    log.event("key-removed", who, gone.get().fingerprint());
                    return Reply.ok(r.id(), List.of(gone.get().line()));
                }
                default:
                    throw ProtocolException.of(Status.BAD_REQUEST, "not a key operation: " + r.op());
            }
        } catch (IOException e) {
            if (e instanceof ProtocolException pe) {
                throw pe;
            }
            log.error(who, "keys file: " + e.getMessage());
            throw ProtocolException.of(Status.IO_ERROR, "cannot update the server's key file");
        }
    }
}
