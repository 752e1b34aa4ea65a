package dev.rudp.fileserver.storage.s3;

import dev.rudp.fileserver.protocol.FileEntry;
import dev.rudp.fileserver.protocol.ProtocolException;
import dev.rudp.fileserver.protocol.Status;
import dev.rudp.fileserver.storage.Crc32c;
import dev.rudp.fileserver.storage.KnownDigests;
import dev.rudp.fileserver.storage.ReadHandle;
import dev.rudp.fileserver.storage.Store;
import dev.rudp.fileserver.storage.UploadSink;
import dev.rudp.fileserver.storage.UserPath;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.Part;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * One account's tree in the bucket, below {@code PREFIX/USER/}: files are objects, folders are
 * marker objects ({@code path/}) or implied by deeper keys. Listings use ListObjectsV2 with a
 * delimiter over every page, sorted by name as the local store sorts them. Moves, copies and
 * deletes of trees are in {@link S3Tree}; uploads in {@link S3UploadSink}; downloads in
 * {@link S3ReadHandle}.
 *
 * <p>{@link #usage()} lists the account's objects and unfinished uploads and is cached for
 * {@link S3Settings#usageTtl} (5 s): this server's own changes refresh it at once, another
 * server's show after at most 5 s, so a quota can be overshot by what other servers store in those
 * seconds. {@link #freeSpace()} is -1: a bucket does not tell.
 *
 * <p>Thread-safe; blocking (never call on an event loop).
 */
final class S3Store implements Store {
    /** Modes shown for objects (a bucket keeps none). */
    static final int FILE_MODE = 0644;
    static final int FOLDER_MODE = 0755;
    /** S3's limit on the parts of one upload. */
    private static final int MAX_PARTS = 10_000;

    private final S3Backend backend;
    private final S3Calls calls;
    private final S3Keys keys;
    private final String user;
    private final long quota;
    private final UsageCache usage;
    private final S3Tree tree;

    /** What a path is in the bucket. */
    enum Kind { NONE, FILE, FOLDER }

    /** A path's kind and, for a file, its HEAD. */
    record Node(Kind kind, HeadObjectResponse head) {
    }

    S3Store(S3Backend backend, String user, long quota) {
        this.backend = backend;
        this.calls = backend.calls();
        this.keys = backend.keys();
        this.user = user;
        this.quota = quota;
        this.usage = backend.usage(user);
        this.tree = new S3Tree(this);
    }

    S3Backend backend() {
        return backend;
    }

    UsageCache usageCache() {
        return usage;
    }

    String fileKey(UserPath p) {
        return keys.file(user, p);
    }

    String folderKey(UserPath p) {
        return keys.folder(user, p);
    }

    String user() {
        return user;
    }

    /** Refuses paths whose keys S3 cannot hold. */
    void check(UserPath p, String shown) throws ProtocolException {
        keys.check(user, p, shown);
    }

    /** A protocol error for a failed request on {@code shown}. */
    static ProtocolException failed(S3StoreException e, String shown) {
        return ProtocolException.of(Status.IO_ERROR, "I/O error on " + shown + ": " + e.getMessage());
    }

    static ProtocolException notFound(String shown) {
        return ProtocolException.of(Status.NOT_FOUND, "no such file: " + shown);
    }

    /** What {@code p} is: a file (HEAD), else a folder (a marker or a deeper key), else nothing. */
    Node node(UserPath p) throws S3StoreException {
        if (p.isRoot()) {
            return new Node(Kind.FOLDER, null);
        }
        HeadObjectResponse h = calls.head(fileKey(p));
        if (h != null) {
            return new Node(Kind.FILE, h);
        }
        return new Node(calls.anyUnder(folderKey(p)) ? Kind.FOLDER : Kind.NONE, null);
    }

    @Override
    public long quota() {
        return quota;
    }

    @Override
    public List<FileEntry> list(UserPath p, String shown) throws ProtocolException {
        check(p, shown);
        try {
            Node n = node(p);
            if (n.kind() == Kind.NONE) {
                throw notFound(shown);
            }
            if (n.kind() == Kind.FILE) {
                return List.of(fileEntry(p.name(), n.head()));
            }
            String prefix = folderKey(p);
            S3Calls.Level level = calls.listLevel(prefix);
            List<FileEntry> out = new ArrayList<>();
            for (S3Object o : level.objects()) {
                String name = o.key().substring(prefix.length());
                if (!name.isEmpty() && validName(name)) {
                    out.add(new FileEntry(name, 'f', o.size(), millis(o.lastModified()), FILE_MODE));
                }
            }
            for (String sub : level.prefixes()) {
                String name = sub.substring(prefix.length(), sub.length() - 1);
                if (validName(name)) {
                    out.add(new FileEntry(name, 'd', 0, 0, FOLDER_MODE));
                }
            }
            // The local store sorts by the bytes of the names (UTF-8), as S3 lists keys.
            out.sort((a, b) -> Arrays.compareUnsigned(a.name().getBytes(StandardCharsets.UTF_8),
                    b.name().getBytes(StandardCharsets.UTF_8)));
            return out;
        } catch (S3StoreException e) {
            throw failed(e, shown);
        }
    }

    private static boolean validName(String name) {
        try {
            UserPath.parse(name);
            return name.indexOf('/') < 0;
        } catch (IllegalArgumentException e) {
            return false; // written beside the service with a name no client could use
        }
    }

    static FileEntry fileEntry(String name, HeadObjectResponse h) {
        return new FileEntry(name, 'f', h.contentLength(), millis(h.lastModified()), FILE_MODE);
    }

    static long millis(Instant t) {
        return t == null ? 0 : t.toEpochMilli();
    }

    @Override
    public FileEntry stat(UserPath p, String shown) throws ProtocolException {
        check(p, shown);
        try {
            Node n = node(p);
            return switch (n.kind()) {
                case NONE -> throw notFound(shown);
                case FILE -> fileEntry(shown, n.head());
                case FOLDER -> {
                    HeadObjectResponse marker = p.isRoot() ? null : calls.head(folderKey(p));
                    yield new FileEntry(shown, 'd', 0, marker == null ? 0 : millis(marker.lastModified()), FOLDER_MODE);
                }
            };
        } catch (S3StoreException e) {
            throw failed(e, shown);
        }
    }

    @Override
    public boolean isDirectory(UserPath p) throws ProtocolException {
        if (p.isRoot()) {
            return true;
        }
        check(p, p.display());
        try {
            return calls.anyUnder(folderKey(p));
        } catch (S3StoreException e) {
            throw failed(e, p.display());
        }
    }

    @Override
    public void mkdir(UserPath p, String shown, boolean parents) throws ProtocolException {
        check(p, shown);
        try {
            if (p.isRoot()) {
                if (!parents) {
                    throw ProtocolException.of(Status.EXISTS, "file exists: " + shown);
                }
                return;
            }
            List<String> markers = new ArrayList<>();
            if (parents) {
                for (UserPath a = p; !a.isRoot(); a = a.parent()) {
                    if (calls.head(fileKey(a)) != null) {
                        // the folder itself a file: it exists; a file on the way: not a folder
                        throw a.equals(p) ? ProtocolException.of(Status.EXISTS, "file exists: " + shown)
                                : ProtocolException.of(Status.NOT_DIRECTORY, "not a folder: " + shown);
                    }
                    markers.add(folderKey(a));
                }
            } else {
                if (node(p).kind() != Kind.NONE) {
                    throw ProtocolException.of(Status.EXISTS, "file exists: " + shown);
                }
                Kind parent = node(p.parent()).kind();
                if (parent == Kind.NONE) {
                    throw notFound(shown);
                }
                if (parent == Kind.FILE) {
                    throw ProtocolException.of(Status.NOT_DIRECTORY, "not a folder: " + shown);
                }
                markers.add(folderKey(p));
            }
            calls.bulk(markers, k -> calls.putAsync(k, new byte[0]));
        } catch (S3StoreException e) {
            throw failed(e, shown);
        }
    }

    @Override
    public UserPath move(UserPath from, String fromShown, UserPath to, String toShown) throws ProtocolException {
        return tree.move(from, fromShown, to, toShown);
    }

    @Override
    public long delete(UserPath p, String shown, boolean recursive) throws ProtocolException {
        return tree.delete(p, shown, recursive);
    }

    @Override
    public UserPath copy(UserPath from, String fromShown, UserPath to, String toShown, boolean recursive)
            throws ProtocolException {
        return tree.copy(from, fromShown, to, toShown, recursive);
    }

    @Override
    public String sha256(UserPath p, String shown) throws ProtocolException {
        check(p, shown);
        try {
            Node n = node(p);
            if (n.kind() == Kind.FOLDER) {
                throw ProtocolException.of(Status.IS_DIRECTORY, "is a folder: " + shown);
            }
            if (n.kind() == Kind.NONE) {
                throw notFound(shown);
            }
            String key = fileKey(p);
            long size = n.head().contentLength();
            String etag = S3Keys.etag(n.head().eTag());
            KnownDigests known = backend.sidecars().lookup(key, etag, size);
            if (known != null) {
                return known.sha256();
            }
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            MessageDigest crc = new Crc32c();
            try (S3ReadHandle h = new S3ReadHandle(calls, null, key, shown, size, etag, null)) {
                h.hashRange(0, size, md, crc);
            }
            String sha = HexFormat.of().formatHex(md.digest());
            backend.sidecars().store(key, etag, size, sha, HexFormat.of().formatHex(crc.digest()));
            return sha;
        } catch (ProtocolException e) {
            throw e;
        } catch (S3StoreException e) {
            throw failed(e, shown);
        } catch (java.io.IOException e) {
            throw ProtocolException.of(Status.IO_ERROR, "I/O error on " + shown + ": " + e.getMessage());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public long usage() throws ProtocolException {
        try {
            return usage.get(() -> {
                long total = 0;
                for (S3Object o : calls.listAll(keys.home(user))) {
                    total += o.size();
                }
                return total + backend.uploads().held(keys.home(user));
            });
        } catch (S3StoreException e) {
            throw failed(e, "~");
        }
    }

    @Override
    public long freeSpace() {
        return -1;
    }

    @Override
    public long sizeOf(UserPath p, String shown) throws ProtocolException {
        check(p, shown);
        try {
            Node n = node(p);
            if (n.kind() == Kind.NONE) {
                throw notFound(shown);
            }
            if (n.kind() == Kind.FILE) {
                return n.head().contentLength();
            }
            long total = 0;
            for (S3Object o : calls.listAll(folderKey(p))) {
                total += o.size();
            }
            return total;
        } catch (S3StoreException e) {
            throw failed(e, shown);
        }
    }

    @Override
    public List<Walked> walk(UserPath p, String shown, int limit) throws ProtocolException {
        check(p, shown);
        try {
            Node n = node(p);
            if (n.kind() == Kind.NONE) {
                throw notFound(shown);
            }
            if (n.kind() == Kind.FILE) {
                return List.of(new Walked(p, fileEntry(p.name(), n.head())));
            }
            // S3 lists in byte order of whole keys ("a-b" before "a/b"); a walk is depth first by name.
            TreeMap<UserPath, FileEntry> all = new TreeMap<>();
            all.put(p, new FileEntry(p.name(), 'd', 0, 0, FOLDER_MODE));
            for (S3Object o : calls.listAll(folderKey(p))) {
                UserPath q = keys.path(user, o.key());
                if (q == null || !q.startsWith(p)) {
                    continue;
                }
                if (o.key().endsWith("/")) {
                    all.put(q, new FileEntry(q.name(), 'd', 0, millis(o.lastModified()), FOLDER_MODE));
                } else {
                    all.put(q, new FileEntry(q.name(), 'f', o.size(), millis(o.lastModified()), FILE_MODE));
                }
                for (UserPath a = q.parent(); a.startsWith(p) && !a.equals(p); a = a.parent()) {
                    all.putIfAbsent(a, new FileEntry(a.name(), 'd', 0, 0, FOLDER_MODE));
                }
            }
            List<Walked> out = new ArrayList<>();
            for (Map.Entry<UserPath, FileEntry> e : all.entrySet()) {
                if (out.size() >= limit) {
                    break;
                }
                out.add(new Walked(e.getKey(), e.getValue()));
            }
            return out;
        } catch (S3StoreException e) {
            throw failed(e, shown);
        }
    }

    @Override
    public ReadHandle openRead(UserPath p, String shown, long offset) throws ProtocolException {
        check(p, shown);
        try {
            Node n = node(p);
            if (n.kind() == Kind.FOLDER) {
                throw ProtocolException.of(Status.IS_DIRECTORY, "is a folder (use get -r): " + shown);
            }
            if (n.kind() == Kind.NONE) {
                throw notFound(shown);
            }
            long size = n.head().contentLength();
            if (offset < 0 || offset > size) {
                throw ProtocolException.of(Status.BAD_REQUEST, "cannot resume " + shown + " at " + offset
                        + ": the remote file has only " + size + " bytes");
            }
            String key = fileKey(p);
            String etag = S3Keys.etag(n.head().eTag());
            return new S3ReadHandle(calls, backend.sidecars(), key, shown, size, etag,
                    backend.sidecars().lookup(key, etag, size));
        } catch (S3StoreException e) {
            throw failed(e, shown);
        }
    }

    @Override
    public UploadSink openUpload(UserPath p, String shown, long size, boolean resume) throws ProtocolException {
        check(p, shown);
        if (size < 0) {
            throw ProtocolException.of(Status.BAD_REQUEST, "put: missing size");
        }
        int partSize = backend.settings().partSize;
        if ((size + partSize - 1) / partSize > MAX_PARTS) {
            throw ProtocolException.of(Status.FILE_TOO_LARGE, "file too large: " + shown + " has " + size
                    + " bytes; the object store takes at most " + (long) MAX_PARTS * partSize);
        }
        try {
            Node n = node(p);
            if (n.kind() == Kind.FOLDER) {
                throw ProtocolException.of(Status.IS_DIRECTORY, "is a folder: " + shown);
            }
            if (node(p.parent()).kind() != Kind.FOLDER) {
                throw ProtocolException.of(Status.NOT_FOUND, "no such folder: " + shown);
            }
            String key = fileKey(p);
            long existing = n.kind() == Kind.FILE ? n.head().contentLength() : 0;
            List<S3Uploads.Found> found = backend.uploads().find(key);
            long held = 0;
            S3Uploads.Found reuse = null;
            for (S3Uploads.Found f : found) {
                held += f.parts().stream().mapToLong(x -> x.size() == null ? 0 : x.size()).sum();
                if (resume && reuse == null && size > partSize && f.size() == size && f.partSize() == partSize) {
                    reuse = f;
                }
            }
            // usage counts unfinished uploads; this one replaces the file and reuses or drops them
            checkQuota(size - existing - held);
            for (S3Uploads.Found f : found) {
                if (f != reuse) {
                    backend.uploads().discard(key, f.uploadId());
                }
            }
            usage.invalidate();
            if (reuse != null) {
                return resumed(key, shown, size, reuse);
            }
            String id = size > partSize ? backend.uploads().create(key, size, partSize) : null;
            return new S3UploadSink(backend, usage, key, shown, size, id, 0, Map.of(), UploadDigests.fresh());
        } catch (S3StoreException e) {
            throw failed(e, shown);
        }
    }

    /** Continues {@code f} after its longest run of full parts 1..k whose digest state exists. */
    private UploadSink resumed(String key, String shown, long size, S3Uploads.Found f) throws S3StoreException {
        int partSize = f.partSize();
        Map<Integer, Part> parts = new HashMap<>();
        for (Part part : f.parts()) {
            parts.put(part.partNumber(), part);
        }
        int run = 0;
        for (int k = 1; ; k++) {
            Part part = parts.get(k);
            long length = Math.min(partSize, size - (long) (k - 1) * partSize);
            if (part == null || length <= 0 || part.size() == null || part.size() != length) {
                break;
            }
            run = k;
        }
        int kept = run;
        while (kept > 0 && !f.digests().contains(kept)) {
            kept--;
        }
        UploadDigests digest = UploadDigests.fresh();
        while (kept > 0) {
            byte[] state = backend.uploads().readDigest(key, f.uploadId(), kept);
            if (state != null) {
                try {
                    digest = UploadDigests.resume(state);
                    break;
                } catch (RuntimeException e) {
                    // a damaged state object: fall back to an earlier part
                }
            }
            do {
                kept--;
            } while (kept > 0 && !f.digests().contains(kept));
        }
        Map<Integer, String> etags = new HashMap<>();
        for (int k = 1; k <= kept; k++) {
            etags.put(k, parts.get(k).eTag());
        }
        return new S3UploadSink(backend, usage, key, shown, size, f.uploadId(), kept, etags, digest);
    }
}
