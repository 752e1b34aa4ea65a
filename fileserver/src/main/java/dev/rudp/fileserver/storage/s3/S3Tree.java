package dev.rudp.fileserver.storage.s3;

import dev.rudp.fileserver.protocol.ProtocolException;
import dev.rudp.fileserver.protocol.Status;
import dev.rudp.fileserver.storage.PathRules;
import dev.rudp.fileserver.storage.UserPath;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Moves, copies and deletes in the bucket, where a folder is many objects and nothing renames
 * them at once. A file moves by server-side copy, then delete. A folder moves in two phases: every
 * object is copied first and only then are the sources deleted (DeleteObjects, 1000 keys a
 * request), with a journal object ({@link S3Keys#move}) saying where the move goes: a move
 * interrupted halfway leaves the source whole (and a partial copy at the target), and running
 * the same {@code mv} again continues into the recorded target, skipping what was copied, and
 * finishes. Trees are deleted files first, folder markers last.
 */
final class S3Tree {
    private final S3Store store;
    private final S3Calls calls;
    private final S3Keys keys;

    S3Tree(S3Store store) {
        this.store = store;
        this.calls = store.backend().calls();
        this.keys = store.backend().keys();
    }

    /** A journal of a folder move: the {@code to} it was asked for, where it goes, when it began (store clock). */
    private record Journal(String to, String target, Instant began) {
    }

    UserPath move(UserPath from, String fromShown, UserPath to, String toShown) throws ProtocolException {
        refuseHome(from, fromShown);
        store.check(from, fromShown);
        store.check(to, toShown);
        try {
            String journalKey = keys.move(store.user(), from);
            Journal journal = readJournal(journalKey);
            boolean rerun = journal != null && journal.to().equals(to.relative());
            S3Store.Node node = store.node(from);
            if (node.kind() == S3Store.Kind.NONE) {
                if (rerun) {
                    calls.delete(List.of(journalKey)); // the last run ended between its deletes and this
                    return UserPath.parse(journal.target());
                }
                throw S3Store.notFound(fromShown);
            }
            UserPath target = rerun ? UserPath.parse(journal.target())
                    : store.isDirectory(to) ? to.child(from.name()) : to;
            if (target.startsWith(from) && !target.equals(from)) {
                throw ProtocolException.of(Status.BAD_REQUEST, "cannot move a folder into itself: " + fromShown);
            }
            if (target.equals(from)) {
                return target;
            }
            store.check(target, toShown);
            S3Store.Kind parent = store.node(target.parent()).kind();
            if (parent == S3Store.Kind.FILE) {
                throw ProtocolException.of(Status.NOT_DIRECTORY, "not a folder: " + toShown);
            }
            if (parent != S3Store.Kind.FOLDER) {
                throw S3Store.notFound(fromShown);
            }
            if (node.kind() == S3Store.Kind.FILE) {
                moveFile(from, node.head(), target, toShown);
            } else {
                moveFolder(from, fromShown, target, toShown, to, journalKey, rerun ? journal : null);
            }
            keepFolder(from.parent());
            store.usageCache().invalidate();
            return target;
        } catch (S3StoreException e) {
            throw S3Store.failed(e, fromShown);
        }
    }

    private void moveFile(UserPath from, HeadObjectResponse head, UserPath target, String toShown)
            throws ProtocolException, S3StoreException {
        if (store.node(target).kind() == S3Store.Kind.FOLDER) {
            throw ProtocolException.of(Status.IS_DIRECTORY, "is a folder: " + toShown);
        }
        String src = store.fileKey(from);
        copyOne(src, head.contentLength(), S3Keys.etag(head.eTag()), store.fileKey(target));
        calls.delete(List.of(src, keys.sidecar(src)));
    }

    private void moveFolder(UserPath from, String fromShown, UserPath target, String toShown, UserPath to,
            String journalKey, Journal journal) throws ProtocolException, S3StoreException {
        String srcPrefix = store.folderKey(from);
        String dstPrefix = store.folderKey(target);
        Map<String, S3Object> already = new HashMap<>();
        if (journal == null) {
            S3Store.Kind there = store.node(target).kind();
            if (there == S3Store.Kind.FILE) {
                throw ProtocolException.of(Status.NOT_DIRECTORY, "not a folder: " + toShown);
            }
            if (there == S3Store.Kind.FOLDER && calls.listAll(dstPrefix).stream().anyMatch(o -> !o.key().equals(dstPrefix))) {
                throw ProtocolException.of(Status.NOT_EMPTY, "folder not empty: " + toShown);
            }
        } else {
            for (S3Object o : calls.listAll(dstPrefix)) {
                already.put(o.key(), o);
            }
        }
        List<S3Object> sources = calls.listAll(srcPrefix);
        checkLengths(sources, srcPrefix, dstPrefix, toShown);
        if (journal == null) {
            calls.put(journalKey, ("v1\n" + to.relative() + "\n" + target.relative() + "\n")
                    .getBytes(StandardCharsets.UTF_8));
            journal = readJournal(journalKey);
            if (journal == null) {
                throw new S3StoreException(S3StoreException.Reason.FAILED, "the move's journal vanished", null);
            }
        }
        Instant began = journal.began();
        calls.put(dstPrefix, new byte[0]);
        List<S3Object> todo = new ArrayList<>();
        for (S3Object o : sources) {
            String dst = dstPrefix + o.key().substring(srcPrefix.length());
            S3Object done = already.get(dst);
            boolean copied = done != null && done.size().equals(o.size()) && !done.lastModified().isBefore(began);
            if (!o.key().equals(srcPrefix) && !copied) {
                todo.add(o);
            }
        }
        int interruptAfter = calls.settings().interruptMoveAfterCopies;
        AtomicInteger started = new AtomicInteger();
        calls.bulk(todo, o -> {
            if (interruptAfter >= 0 && started.getAndIncrement() >= interruptAfter) {
                return CompletableFuture.failedFuture(new IOException("move interrupted (test hook)"));
            }
            return copyAsync(o.key(), o.size(), S3Keys.etag(o.eTag()), dstPrefix + o.key().substring(srcPrefix.length()));
        });
        deleteAll(sources);
        calls.delete(List.of(journalKey));
    }

    private void checkLengths(List<S3Object> sources, String srcPrefix, String dstPrefix, String toShown)
            throws ProtocolException {
        for (S3Object o : sources) {
            String dst = dstPrefix + o.key().substring(srcPrefix.length());
            if (dst.getBytes(StandardCharsets.UTF_8).length > S3Keys.MAX_KEY) {
                throw PathRules.refused(toShown, "a name inside would be too long for the object store (its keys"
                        + " hold at most " + S3Keys.MAX_KEY + " bytes)");
            }
        }
    }

    private Journal readJournal(String key) throws S3StoreException {
        HeadObjectResponse h = calls.head(key);
        byte[] b = h == null ? null : calls.get(key);
        if (b == null) {
            return null;
        }
        String[] lines = new String(b, StandardCharsets.UTF_8).split("\n", -1);
        if (lines.length < 3 || !lines[0].equals("v1")) {
            return null;
        }
        try {
            UserPath.parse(lines[2]);
        } catch (IllegalArgumentException e) {
            return null;
        }
        // The store's clock, like the copies' times it is compared with (one-second resolution).
        return new Journal(lines[1], lines[2], h.lastModified().minusSeconds(1));
    }

    private void copyOne(String src, long size, String etag, String dst) throws S3StoreException {
        calls.join(copyAsync(src, size, etag, dst));
    }

    /** Copies one object and, for a file, its digest sidecar when it still holds. */
    private CompletableFuture<?> copyAsync(String src, long size, String etag, String dst) {
        CompletableFuture<String> copied = calls.copyAsync(src, dst, size);
        if (src.endsWith("/")) {
            return copied;
        }
        return copied.thenCompose(newEtag -> store.backend().sidecars().copyAsync(src, etag, size, dst, newEtag));
    }

    long delete(UserPath p, String shown, boolean recursive) throws ProtocolException {
        refuseHome(p, shown);
        store.check(p, shown);
        try {
            String key = store.fileKey(p);
            if (calls.head(key) != null) {
                calls.delete(List.of(key, keys.sidecar(key)));
                keepFolder(p.parent());
                store.usageCache().invalidate();
                return 1;
            }
            String prefix = store.folderKey(p);
            List<S3Object> all = calls.listAll(prefix);
            if (all.isEmpty()) {
                throw S3Store.notFound(shown);
            }
            if (!recursive && all.stream().anyMatch(o -> !o.key().equals(prefix))) {
                throw ProtocolException.of(Status.NOT_EMPTY, "folder not empty (use rm -r): " + shown);
            }
            Set<String> folders = new HashSet<>();
            folders.add(prefix);
            long files = 0;
            for (S3Object o : all) {
                String k = o.key();
                if (!k.endsWith("/")) {
                    files++;
                }
                for (int i = k.indexOf('/', prefix.length()); i >= 0; i = k.indexOf('/', i + 1)) {
                    folders.add(k.substring(0, i + 1));
                }
            }
            deleteAll(all);
            keepFolder(p.parent());
            store.usageCache().invalidate();
            return files + folders.size();
        } catch (S3StoreException e) {
            throw S3Store.failed(e, shown);
        }
    }

    /** Deletes files (with their sidecars) first and folder markers last, so a folder shows until it is empty. */
    private void deleteAll(List<S3Object> objects) throws S3StoreException {
        List<String> files = new ArrayList<>();
        List<String> markers = new ArrayList<>();
        for (S3Object o : objects) {
            if (o.key().endsWith("/")) {
                markers.add(o.key());
            } else {
                files.add(o.key());
                files.add(keys.sidecar(o.key()));
            }
        }
        calls.delete(files);
        calls.delete(markers);
    }

    UserPath copy(UserPath from, String fromShown, UserPath to, String toShown, boolean recursive)
            throws ProtocolException {
        store.check(from, fromShown);
        store.check(to, toShown);
        try {
            S3Store.Node node = store.node(from);
            if (node.kind() == S3Store.Kind.NONE) {
                throw S3Store.notFound(fromShown);
            }
            boolean dir = node.kind() == S3Store.Kind.FOLDER;
            if (dir && !recursive) {
                throw ProtocolException.of(Status.IS_DIRECTORY, "is a folder (use cp -r): " + fromShown);
            }
            UserPath target = store.isDirectory(to) ? to.child(from.name()) : to;
            if (dir && target.startsWith(from)) {
                throw ProtocolException.of(Status.BAD_REQUEST, "cannot copy a folder into itself: " + fromShown);
            }
            store.check(target, toShown);
            S3Store.Kind parent = store.node(target.parent()).kind();
            if (parent == S3Store.Kind.FILE) {
                throw ProtocolException.of(Status.NOT_DIRECTORY, "not a folder: " + toShown);
            }
            if (parent != S3Store.Kind.FOLDER) {
                throw S3Store.notFound(fromShown);
            }
            store.checkQuota(store.sizeOf(from, fromShown));
            if (!dir) {
                if (!target.equals(from)) {
                    if (store.node(target).kind() == S3Store.Kind.FOLDER) {
                        throw ProtocolException.of(Status.IS_DIRECTORY, "is a folder: " + toShown);
                    }
                    copyOne(store.fileKey(from), node.head().contentLength(), S3Keys.etag(node.head().eTag()),
                            store.fileKey(target));
                }
            } else {
                if (store.node(target).kind() == S3Store.Kind.FILE) {
                    throw ProtocolException.of(Status.EXISTS, "file exists: " + fromShown);
                }
                String srcPrefix = store.folderKey(from);
                String dstPrefix = store.folderKey(target);
                List<S3Object> sources = calls.listAll(srcPrefix);
                checkLengths(sources, srcPrefix, dstPrefix, toShown);
                calls.put(dstPrefix, new byte[0]);
                calls.bulk(sources.stream().filter(o -> !o.key().equals(srcPrefix)).toList(),
                        o -> copyAsync(o.key(), o.size(), S3Keys.etag(o.eTag()),
                                dstPrefix + o.key().substring(srcPrefix.length())));
            }
            store.usageCache().invalidate();
            return target;
        } catch (S3StoreException e) {
            throw S3Store.failed(e, fromShown);
        }
    }

    /** Keeps a folder that an object was taken out of, as a folder on a disk stays when emptied. */
    private void keepFolder(UserPath folder) throws S3StoreException {
        if (!folder.isRoot()) {
            calls.put(store.folderKey(folder), new byte[0]);
        }
    }

    private static void refuseHome(UserPath p, String shown) throws ProtocolException {
        if (p.isRoot()) {
            throw ProtocolException.of(Status.PERMISSION_DENIED, "refusing to remove or move your home folder: " + shown);
        }
    }
}
