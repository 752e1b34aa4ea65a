package dev.rudp.bench.files;

import dev.rudp.bench.e2e.Payload;
import dev.rudp.bench.e2e.Warmup;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The file rows of the e2e runner's loopback profile: the same file of N bytes (the payload stream)
 * moved disk to disk by the file service, by a plain TCP copy with fsync and by sftp, in one run, so
 * that their ratios can be compared. Files live in a temporary folder under {@code java.io.tmpdir}
 * (one disk with the server's data folder), deleted afterwards; {@code sync} runs before each row so
 * that one row's dirty pages are not written back during the next.
 *
 * <p>What each row times: {@code fileclient put|get} one batch command from its start to its exit
 * (connect, DTLS handshake, login, transfer, checked end to end by the product, fsync, rename, close),
 * first in this JVM after the warm-up, then ({@code , new JVM}) in a new client JVM as
 * {@code bin/fileclient} runs it, JVM start-up and JIT included;
 * {@code fileclient session only} the same for {@code pwd}, which moves no file (what each fileclient row
 * pays besides the transfer; {@code sftp session only} likewise); {@code tcp+fsync} connect to the receiver's fsync; {@code sftp put|get} the sftp process from start
 * to exit. Every landed file is then checked (size and CRC32C) outside the timed span.
 */
public final class FileBench {
    /** The file transfers the runner knows; each of fileclient and sftp gives a put and a get row. */
    public static final List<String> KNOWN = List.of("fileclient", "tcp+fsync", "sftp");

    // Held so that the level set below stays set (JUL keeps loggers weakly).
    private static final List<Logger> QUIET = List.of(Logger.getLogger("dev.rudp.fileserver"), Logger.getLogger("fileserver"));

    private final List<String> which;
    private final long bytes;
    private final long warmupBytes;
    private final int warmupRounds;
    private final long timeoutMillis;
    private final int repeat;
    private final PrintStream log;

    /**
     * @param which any of {@link #KNOWN}
     * @param bytes file size
     * @param warmupBytes size of the untimed fileclient put and get of each warm-up round, 0 for none
     * @param warmupRounds at most this many warm-up rounds, fewer once the JIT settles ({@link Warmup})
     * @param timeoutMillis limit of each transfer
     * @param repeat runs of each transfer row ({@code put} and {@code get} alternating); the median is
     *     reported with the spread ({@link FileRow#pick}); session rows run once
     * @param log where progress lines go
     */
    public FileBench(List<String> which, long bytes, long warmupBytes, int warmupRounds, long timeoutMillis,
            int repeat, PrintStream log) {
        this.which = which;
        this.bytes = bytes;
        this.warmupBytes = warmupBytes;
        this.warmupRounds = warmupRounds;
        this.timeoutMillis = timeoutMillis;
        this.repeat = repeat;
        this.log = log;
    }

    /** One timed transfer. */
    @FunctionalInterface
    private interface Transfer {
        FileRow run() throws IOException, InterruptedException;
    }

    /**
     * Runs {@code put} and {@code get} {@link #repeat} times, alternating (a get needs the put's copy),
     * each after a {@code sync} and followed by deleting {@code landed} (the local copy a run leaves, if
     * any), and adds the picked run of each.
     */
    private void putsAndGets(Transfer put, Transfer get, Path landed, List<FileRow> rows)
            throws IOException, InterruptedException {
        List<FileRow> puts = new ArrayList<>();
        List<FileRow> gets = new ArrayList<>();
        for (int round = 1; round <= repeat; round++) {
            for (Transfer t : List.of(put, get)) {
                DiskFiles.sync(timeoutMillis);
                FileRow r = print(t.run(), round);
                Files.deleteIfExists(landed);
                (t == put ? puts : gets).add(r);
            }
        }
        rows.add(FileRow.pick(puts));
        rows.add(FileRow.pick(gets));
    }

    /**
     * Runs the rows in a fixed order: fileclient session only, put, get, the same three with a new client
     * JVM, tcp+fsync, sftp session only, put, get; with {@code repeat} > 1 each transfer row that many
     * times (a direction's puts and gets alternating) and the median run reported.
     */
    public List<FileRow> run(Payload payload) throws IOException, InterruptedException {
        // One line per connect, login and transfer from the server would bury the runner's own lines.
        QUIET.forEach(l -> l.setLevel(Level.WARNING));
        List<FileRow> rows = new ArrayList<>();
        Path dir = Files.createTempDirectory("rudp-bench-files-");
        try {
            Path source = dir.resolve("source.bin");
            DiskFiles.write(payload, source, bytes);
            if (which.contains("fileclient")) {
                fileService(payload, dir, source, rows);
            }
            if (which.contains("tcp+fsync")) {
                Path target = dir.resolve("tcp-target.bin");
                List<FileRow> copies = new ArrayList<>();
                for (int round = 1; round <= repeat; round++) {
                    DiskFiles.sync(timeoutMillis);
                    copies.add(print(TcpFsyncCopy.copy(payload, source, target, bytes, timeoutMillis), round));
                    Files.deleteIfExists(target);
                }
                rows.add(FileRow.pick(copies));
            }
            if (which.contains("sftp")) {
                sftp(payload, dir, source, rows);
            }
        } finally {
            DiskFiles.deleteTree(dir);
        }
        return rows;
    }

    private void fileService(Payload payload, Path dir, Path source, List<FileRow> rows)
            throws IOException, InterruptedException {
        Path target = dir.resolve("fileclient-target.bin");
        try (FileService service = FileService.start(dir.resolve("server"))) {
            if (warmupBytes > 0) {
                Path warm = dir.resolve("warmup.bin");
                DiskFiles.write(payload, warm, warmupBytes);
                new Warmup(warmupRounds, log).run("fileclient", () -> {
                    FileRow put = service.put(payload, warm, warmupBytes, timeoutMillis);
                    FileRow get = service.get(payload, target, warmupBytes, timeoutMillis);
                    Files.deleteIfExists(target);
                    String both = String.format(Locale.ROOT, "put %.1f MB/s, get %.1f MB/s", put.mbPerSecond(),
                            get.mbPerSecond());
                    return put.status().equals("ok") && get.status().equals("ok") ? "ok " + both
                            : "put " + put.status() + ", get " + get.status();
                });
                Files.deleteIfExists(warm);
                Files.deleteIfExists(target);
                Files.deleteIfExists(service.remoteFile());
            }
            // In this JVM after the warm-up, then as a user of bin/fileclient gets it: each client a new JVM
            // (start-up and JIT included), against the same warm server.
            for (boolean newJvm : new boolean[] {false, true}) {
                rows.add(print(service.session(timeoutMillis, newJvm), 0));
                putsAndGets(() -> {
                    FileRow put = service.put(payload, source, bytes, timeoutMillis, newJvm);
                    if (!Files.isRegularFile(service.remoteFile())) {
                        // The get needs the server's copy even when the put did not deliver it.
                        Files.createDirectories(service.remoteFile().getParent());
                        Files.copy(source, service.remoteFile());
                    }
                    return put;
                }, () -> service.get(payload, target, bytes, timeoutMillis, newJvm), target, rows);
            }
            Files.deleteIfExists(service.remoteFile());
        }
    }

    private void sftp(Payload payload, Path dir, Path source, List<FileRow> rows) throws IOException, InterruptedException {
        String missing = Sftp.missing();
        if (missing != null) {
            rows.add(print(FileRow.skipped("sftp put", bytes, missing)));
            rows.add(print(FileRow.skipped("sftp get", bytes, missing)));
            return;
        }
        Sftp sftp;
        try {
            sftp = Sftp.start(dir.resolve("ssh"), timeoutMillis);
        } catch (IOException e) {
            rows.add(print(FileRow.failed("sftp put", bytes, e, 0, 0)));
            rows.add(print(FileRow.failed("sftp get", bytes, e, 0, 0)));
            return;
        }
        try (sftp) {
            Path target = dir.resolve("sftp-target.bin");
            rows.add(print(sftp.session(timeoutMillis), 0));
            putsAndGets(() -> sftp.put(payload, source, target, bytes, timeoutMillis),
                    () -> sftp.get(payload, source, target, bytes, timeoutMillis), target, rows);
        }
    }

    private FileRow print(FileRow r) {
        return print(r, 0);
    }

    /** Logs one run; {@code round} > 0 is shown when there are repeats. */
    private FileRow print(FileRow r, int round) {
        if (r.status().startsWith("skipped")) {
            log.printf(Locale.ROOT, "loopback files    %s: %s%n", r.transfer(), r.status());
            return r;
        }
        log.printf(Locale.ROOT, "loopback files    %-30s %6d MiB  %-8s %8.1f MB/s  %6.2f s  cpu %6.2f s%s%n", r.transfer(),
                r.bytes() >> 20, r.status().length() > 160 ? r.status().substring(0, 160) + "..." : r.status(),
                r.mbPerSecond(), r.seconds(), r.cpuSeconds(),
                repeat > 1 && round > 0 ? "  (run " + round + "/" + repeat + ")" : "");
        return r;
    }
}
