package dev.rudp.fileserver.server;

import dev.rudp.fileserver.cmd.Interpreter;
import dev.rudp.fileserver.protocol.FileEntry;
import dev.rudp.fileserver.protocol.ProtocolException;
import dev.rudp.fileserver.protocol.Reply;
import dev.rudp.fileserver.protocol.Request;
import dev.rudp.fileserver.protocol.Status;
import dev.rudp.fileserver.storage.PathRules;
import dev.rudp.fileserver.storage.Store;
import dev.rudp.fileserver.storage.UserPath;
import java.util.List;

/**
 * The control operations of a logged-in session (everything but login and transfers): ls, stat,
 * cd, pwd, mkdir, rename, rm, cp, checksum, df and cmd. Blocking: runs on the session's serial
 * executor. Holds the session's working folder.
 */
final class Operations {
    /** Most entries in one LS reply: 3000 entries with 255-byte names stay under the 1 MiB message limit. */
    static final int MAX_ENTRIES = 3_000;
    private final Store store;
    private final ServerLog log;
    private final String who;
    private volatile UserPath cwd = UserPath.ROOT;

    Operations(Store store, ServerLog log, String who) {
        this.store = store;
        this.log = log;
        this.who = who;
    }

    Store store() {
        return store;
    }

    UserPath resolve(String p) throws ProtocolException {
        return PathRules.resolve(cwd, p);
    }

    Reply run(Request r) throws ProtocolException {
        long id = r.id();
        switch (r.op()) {
            case LS: {
                String p = r.arg(0, "");
                List<FileEntry> all = store.list(resolve(p), p.isEmpty() ? "." : p);
                if (all.size() <= MAX_ENTRIES) {
                    return Reply.entries(id, all);
                }
                // one reply must stay under the transport's message size limit
                return new Reply(id, Status.OK, "", List.of("listing truncated: first "
                        + MAX_ENTRIES + " of " + all.size() + " entries"), new long[0], all.subList(0, MAX_ENTRIES));
            }
            case STAT: {
                String p = r.arg(0, "");
                FileEntry e = store.stat(resolve(p), p);
                return Reply.entries(id, List.of(e));
            }
            case CD: {
                String p = r.arg(0, "~");
                UserPath target = resolve(p);
                if (!store.isDirectory(target)) {
                    try {
                        store.stat(target, p);
                    } catch (ProtocolException e) {
                        throw e.status() == Status.NOT_FOUND
                                ? ProtocolException.of(Status.NOT_FOUND, "no such folder: " + p) : e;
                    }
                    throw ProtocolException.of(Status.NOT_DIRECTORY, "not a folder: " + p);
                }
                cwd = target;
                return Reply.ok(id, List.of(target.display()));
            }
            case PWD:
                return Reply.ok(id, List.of(cwd.display()));
            case MKDIR: {
                String p = r.arg(0, "");
                store.mkdir(resolve(p), p, r.num(0, 0) != 0);
                return Reply.ok(id, List.of());
            }
            case RENAME: {
                String a = r.arg(0, "");
                String b = r.arg(1, "");
                UserPath to = store.move(resolve(a), a, resolve(b), b);
                log.event("rename", who, a + " -> " + to.display());
                return Reply.ok(id, List.of(to.display()));
            }
            case RM: {
                String p = r.arg(0, "");
                UserPath target = resolve(p);
                long n = store.delete(target, p, r.num(0, 0) != 0);
                log.event("delete", who, target.display() + " (" + n + " entries)");
                return Reply.ok(id, List.of(), n);
            }
            case CP: {
                String a = r.arg(0, "");
                String b = r.arg(1, "");
                UserPath to = store.copy(resolve(a), a, resolve(b), b, r.num(0, 0) != 0);
                return Reply.ok(id, List.of(to.display()));
            }
            case CHECKSUM: {
                String p = r.arg(0, "");
                return Reply.ok(id, List.of(store.sha256(resolve(p), p)));
            }
            case DF:
                return Reply.ok(id, List.of(), store.usage(), store.quota(), store.freeSpace());
            case CMD:
                return Reply.ok(id, new Interpreter(store, cwd).run(r.arg(0, "")));
            default:
                throw ProtocolException.of(Status.BAD_REQUEST, "unexpected operation " + r.op());
        }
    }
}
