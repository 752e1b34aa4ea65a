package dev.rudp.bench.peers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The peers runner on 2 MiB over loopback: every real tool either moves the file (SHA-256 checked) or
 * its row says it is not installed. A smoke test, not a benchmark.
 */
class PeersSmokeTest {

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void shouldMoveTheFileWithEveryInstalledToolOrSayWhatIsMissing(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        List<String> tools = List.of("sftp", "ngtcp2", "uftp", "kcptun", "udpcast");
        int status = PeersRunner.main(new String[] {"loopback", "--tools", String.join(",", tools), "--bytes", "2m",
            "--timeout", "60", "--out", dir.toString()}, new PrintStream(buf, true, StandardCharsets.UTF_8));
        String printed = buf.toString(StandardCharsets.UTF_8);
        System.out.print(printed);
        assertEquals(0, status, printed);
        Path csv;
        try (Stream<Path> s = Files.list(dir.resolve("results"))) {
            csv = s.filter(p -> p.toString().endsWith(".csv")).findFirst().orElseThrow();
        }
        List<String> lines = Files.readAllLines(csv);
        assertEquals(PeersTable.CSV_HEADER, lines.get(0));
        assertEquals(tools.size() + 1, lines.size(), lines.toString());
        for (String row : lines.subList(1, lines.size())) {
            assertTrue(row.contains(",\"ok\",") || row.contains("not installed") || row.contains("needs root"), row);
        }
        assertTrue(Files.isRegularFile(Path.of(csv.toString().replace(".csv", ".md"))));
    }

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void shouldCountTheAgentsCpuAndStopItsAgent(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int status = PeersRunner.main(new String[] {"loopback", "--tools", "fileclient-get-warm,fileclient-put",
            "--bytes", "2m", "--timeout", "60", "--out", dir.toString()}, new PrintStream(buf, true, StandardCharsets.UTF_8));
        String printed = buf.toString(StandardCharsets.UTF_8);
        System.out.print(printed);
        assertEquals(0, status, printed);
        Path csv;
        try (Stream<Path> s = Files.list(dir.resolve("results"))) {
            csv = s.filter(p -> p.toString().endsWith(".csv")).findFirst().orElseThrow();
        }
        List<String> lines = Files.readAllLines(csv);
        assertEquals(3, lines.size(), lines.toString());
        for (String row : lines.subList(1, lines.size())) {
            assertTrue(row.contains(",\"ok\","), row);
        }
        // the agent a launcher started names its socket; a first command that stayed as the agent
        // (fileclient-put here) has the row's folder in its environment
        assertTrue(ProcessHandle.allProcesses().noneMatch(h -> h.info().arguments()
                .map(a -> String.join(" ", a)).map(a -> a.contains("dev.rudp.fileclient.agent.Agent")
                        && a.contains("/rudp-agents-") || a.contains("dev.rudp.fileclient.agent.FirstRun")
                        && Fileclient.environ(h.pid()).contains("/rudp-agents-")).orElse(false)),
                "every row stopped its agent");
    }

    @Test
    void shouldParseOptionsAndRefuseBadOnes() {
        PeersOptions o = PeersOptions.parse(new String[] {"link", "--bytes", "32m", "--repeat", "3"}, Path.of("."));
        assertEquals(32L << 20, o.bytes());
        assertEquals(3, o.repeat());
        assertEquals(2, o.profiles().size());
        assertEquals(20, o.profiles().get(0).rttMillis());
        assertEquals(1.0, o.profiles().get(0).lossPercent());
        assertTrue(o.relayImpairs());
        assertFalse(PeersOptions.parse(new String[] {"link", "--impair", "kernel"}, Path.of(".")).relayImpairs());
        assertThrows(IllegalArgumentException.class,
                () -> PeersOptions.parse(new String[] {"link", "--impair", "netem"}, Path.of(".")));
        assertEquals(7, PeersOptions.parse(new String[] {"sweep"}, Path.of(".")).profiles().size());
        assertThrows(IllegalArgumentException.class, () -> PeersOptions.parse(new String[] {"wan"}, Path.of(".")));
        assertThrows(IllegalArgumentException.class,
                () -> PeersOptions.parse(new String[] {"loopback", "--tools", "scp"}, Path.of(".")));
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldReportTheCpuOfAProgramRunToItsExit(@TempDir Path dir) throws Exception {
        // A busy loop of the shell itself, bounded by its count: its CPU must show in the times report.
        try (Proc p = Proc.start("busy", Side.LOOPBACK, List.of("sh", "-c", "i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done"),
                dir, true, Map.of(), null)) {
            assertTrue(p.await(25_000));
            assertEquals(0, p.exitCode());
            assertTrue(p.cpuAtExit() > 0, "cpu " + p.cpuAtExit());
        }
    }

    @Test
    void shouldTabulateAMissingToolWithoutARate() {
        ToolRow r = ToolRow.skipped("loopback", "udpcast", "no cc", 1 << 20, ToolRow.NOT_INSTALLED);
        String md = PeersTable.markdown(List.of(r), Map.of());
        assertTrue(md.contains("| loopback | udpcast | no cc | 1 | not installed (run benchmarks/setup.sh) | - |"), md);
    }
}
