package dev.rudp.fileserver.server;

import dev.rudp.fileserver.cmd.Interpreter;
import dev.rudp.fileserver.protocol.FileEntry;
import dev.rudp.fileserver.protocol.ProtocolException;
import dev.rudp.fileserver.protocol.Reply;
import dev.rudp.fileserver.protocol.Request;
import dev.rudp.fileserver.protocol.Status;
import dev.rudp.fileserver.storage.Storage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The control operations of a logged-in session (everything but login and transfers): ls, stat,
 * cd, pwd, mkdir, rename, rm, cp, checksum, df and cmd. Blocking: runs on the session's serial
 * executor. Holds the session's working folder.
 */
final class Operations {
    /** Most entries in one LS reply: 3000 entries with 255-byte names stay under the 1 MiB message limit. */
    static final int MAX_ENTRIES = 3_000;
    private final Storage storage;
    private final ServerLog log;
    private final String who;
    private volatile Path cwd;

    Operations(Storage storage, ServerLog log, String who) {
        this.storage = storage;
        this.log = log;
        this.who = who;
        this.cwd = storage.jail().root();
    }

    Storage storage() {
        return storage;
    }

    Path cwd() {
        return cwd;
    }

    Path resolve(String p) throws ProtocolException {
        return storage.jail().resolve(cwd, p);
    }

    Reply run(Request r) throws ProtocolException {
        long id = r.id();
        switch (r.op()) {
            case LS: {
                String p = r.arg(0, "");
                List<FileEntry> all = storage.list(resolve(p), p.isEmpty() ? "." : p);
                if (all.size() <= MAX_ENTRIES) {
                    return Reply.entries(id, all);
                }
                // one reply must stay under the transport's message size limit
                return new Reply(id, dev.rudp.fileserver.protocol.Status.OK, "", List.of("listing truncated: first "
                        + MAX_ENTRIES + " of " + all.size() + " entries"), new long[0], all.subList(0, MAX_ENTRIES));
            }
            case STAT: {
                String p = r.arg(0, "");
                FileEntry e = storage.stat(resolve(p), p);
                return Reply.entries(id, List.of(e));
            }
            case CD: {
                String p = r.arg(0, "~");
                Path target = resolve(p);
                if (!Files.isDirectory(target)) {
                    throw ProtocolException.of(Files.exists(target) ? Status.NOT_DIRECTORY : Status.NOT_FOUND,
                            (Files.exists(target) ? "not a folder: " : "no such folder: ") + p);
                }
                cwd = target;
                return Reply.ok(id, List.of(storage.jail().display(target)));
            }
            case PWD:
                return Reply.ok(id, List.of(storage.jail().display(cwd)));
            case MKDIR: {
                String p = r.arg(0, "");
                storage.mkdir(resolve(p), p, r.num(0, 0) != 0);
                return Reply.ok(id, List.of());
            }
            case RENAME: {
                String a = r.arg(0, "");
                String b = r.arg(1, "");
                Path to = storage.move(resolve(a), a, resolve(b), b);
                log.event("rename", who, a + " -> " + storage.jail().display(to));
                return Reply.ok(id, List.of(storage.jail().display(to)));
            }
            case RM: {
                String p = r.arg(0, "");
                long n = storage.delete(resolve(p), p, r.num(0, 0) != 0);
                log.event("delete", who, storage.jail().display(resolve(p).getParent()) + "/"
                        + resolve(p).getFileName() + " (" + n + " entries)");
                return Reply.ok(id, List.of(), n);
            }
            case CP: {
                String a = r.arg(0, "");
                String b = r.arg(1, "");
                Path to = storage.copy(resolve(a), a, resolve(b), b, r.num(0, 0) != 0);
                return Reply.ok(id, List.of(storage.jail().display(to)));
            }
            case CHECKSUM: {
                String p = r.arg(0, "");
                return Reply.ok(id, List.of(storage.sha256(resolve(p), p)));
            }
            case DF:
                return Reply.ok(id, List.of(), storage.usage(), storage.quota(), storage.freeSpace());
            case CMD:
                return Reply.ok(id, new Interpreter(storage, cwd).run(r.arg(0, "")));
            default:
                throw ProtocolException.of(Status.BAD_REQUEST, "unexpected operation " + r.op());
        }
    }
}
