package dev.rudp.bench.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rudp.bench.RawRuns;
import dev.rudp.bench.e2e.E2eRunner;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The e2e runner's file rows on 4 MiB: fileclient put and get against a real file server with DTLS,
 * the TCP copy with fsync, and sftp when sshd is installed (else the row says it was skipped and why).
 * A smoke test, not a benchmark.
 */
class FileRowsSmokeTest {

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldMoveFilesDiskToDiskAndTabulateThem(@TempDir Path dir) throws Exception {
        java.util.Set<Path> before = benchFolders();
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int status = E2eRunner.main(new String[] {"--bytes", "4m", "--profiles", "loopback", "--transports", "none",
            "--files", "fileclient,tcp+fsync,sftp", "--warmup", "0", "--timeout", "30", "--repeat", "2",
            "--out", dir.toString()},
            new PrintStream(buf, true, StandardCharsets.UTF_8));
        String printed = buf.toString(StandardCharsets.UTF_8);
        System.out.print(printed);
        assertEquals(0, status, printed);
        String results = RawRuns.only(dir, "e2e");
        assertTrue(results.contains("| fileclient session only (pwd) | 0 | ok |"), results);
        assertTrue(results.contains("| fileclient put | 4 | ok |"), results);
        assertTrue(results.lines().anyMatch(l -> l.startsWith("| fileclient get | 4 | ok |") && l.contains(" (2) |")),
                "each transfer row ran twice: " + results);
        assertTrue(printed.contains("fileclient put") && printed.contains("(run 2/2)"), printed);
        assertTrue(results.contains("| fileclient get | 4 | ok |"), results);
        assertTrue(results.contains("| fileclient session only (pwd), new JVM | 0 | ok |"), results);
        assertTrue(results.contains("| fileclient put, new JVM | 4 | ok |"), results);
        assertTrue(results.contains("| fileclient get, new JVM | 4 | ok |"), results);
        assertTrue(results.contains("| tcp+fsync | 4 | ok |"), results);
        if (Sftp.missing() == null) {
            assertTrue(results.contains("| sftp put | 4 | ok |"), results);
            assertTrue(results.contains("| sftp get | 4 | ok |"), results);
        } else {
            assertTrue(results.contains("| sftp put | 4 | skipped (" + Sftp.missing() + ") |"), results);
        }
        java.util.Set<Path> after = benchFolders();
        after.removeAll(before);
        assertTrue(after.isEmpty(), "temporary folders left behind: " + after);
    }

    private static java.util.Set<Path> benchFolders() throws java.io.IOException {
        try (var list = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return list.filter(p -> p.getFileName().toString().startsWith("rudp-bench-files-"))
                    .collect(java.util.stream.Collectors.toSet());
        }
    }

    @Test
    void repeatedRowsReportTheirMedianOrAFailureWithTheSpread() {
        FileRow slow = new FileRow("fileclient get", 100_000_000, 100_000_000, "ok", 2.0, 1.0);
        FileRow mid = new FileRow("fileclient get", 100_000_000, 100_000_000, "ok", 1.0, 1.0);
        FileRow fast = new FileRow("fileclient get", 100_000_000, 100_000_000, "ok", 0.5, 1.0);
        FileRow picked = FileRow.pick(java.util.List.of(fast, slow, mid));
        assertEquals(100.0, picked.mbPerSecond(), 1e-9);
        assertEquals("50.0-200.0 (3)", picked.spread());
        FileRow failed = new FileRow("fileclient get", 100_000_000, 0, "corrupt", 1.0, 1.0);
        assertEquals("corrupt", FileRow.pick(java.util.List.of(fast, failed, mid)).status());
        assertEquals("-", FileRow.pick(java.util.List.of(mid)).spread());
        String table = FileTable.render(java.util.List.of(picked));
        assertTrue(table.contains("| fileclient get | 95 | ok | 1.00 | 100.0 | 50.0-200.0 (3) | 1.00 | 10.00 | - | - | sftp: n/a, tcp+fsync: n/a |"),
                table);
    }

    @Test
    void shouldCompareFileRowsWithEachOtherOnly() {
        FileRow put = new FileRow("fileclient put", 100_000_000, 100_000_000, "ok", 1.0, 1.0);
        FileRow tcp = new FileRow(TcpFsyncCopy.NAME, 100_000_000, 100_000_000, "ok", 0.5, 0.5);
        FileRow sftp = new FileRow("sftp put", 100_000_000, 100_000_000, "ok", 2.0, 2.0);
        FileRow get = FileRow.skipped("sftp get", 100_000_000, Sftp.SKIP_NO_SSHD);
        FileRow putNewJvm = new FileRow("fileclient put" + FileService.NEW_JVM, 100_000_000, 100_000_000, "ok", 4.0, 4.0);
        String table = FileTable.render(java.util.List.of(put, putNewJvm, tcp, sftp, get));
        assertTrue(table.contains("| fileclient put | 95 | ok | 1.00 | 100.0 | - | 1.00 | 10.00 | 2.00 | 0.50 | sftp: met, tcp+fsync: missed |"),
                table);
        assertTrue(table.contains("| fileclient put, new JVM | 95 | ok | 4.00 | 25.0 | - | 4.00 | 40.00 | 0.50 | 0.13 | sftp: missed, tcp+fsync: missed |"),
                table);
        assertTrue(table.contains("| sftp get | 95 | skipped (sshd not installed; run benchmarks/setup-sftp.sh) | - |"), table);
    }
}
