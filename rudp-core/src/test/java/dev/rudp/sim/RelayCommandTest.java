package dev.rudp.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rudp.sim.RelayCommand.Options;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@ExtendWith(LeakCheck.class)
@Timeout(30)
class RelayCommandTest {
    @Test
    void parsesEveryOption() {
        Options o = RelayCommand.parse(new String[] {"--listen", "127.0.0.1:4000", "--forward", "127.0.0.1:5000",
            "--loss", "0.1", "--duplicate", "0.02", "--reorder", "0.05", "--reorder-delay", "30", "--delay", "20",
            "--jitter", "5", "--corrupt", "0.001", "--rate-mbit", "8", "--queue-bytes", "64000", "--seed", "-3",
            "--seconds", "10"});
        assertEquals(new InetSocketAddress("127.0.0.1", 4000), o.listen());
        assertEquals(new InetSocketAddress("127.0.0.1", 5000), o.forward());
        assertEquals(ImpairmentProfile.builder().loss(0.1).duplicate(0.02).reorder(0.05, 30).delay(20).jitter(5)
                .corrupt(0.001).rateLimit(1_000_000, 64_000).seed(-3).build(), o.profile());
        assertEquals(10, o.seconds());
    }

    @Test
    void defaults() {
        Options o = RelayCommand.parse(new String[] {"--forward", "[::1]:5000"});
        assertEquals(new InetSocketAddress("127.0.0.1", 0), o.listen());
        assertEquals(new InetSocketAddress("::1", 5000), o.forward());
        assertEquals(ImpairmentProfile.NONE, o.profile());
        assertEquals(0, o.seconds(), "run until killed");
    }

    @Test
    void queueDefaultsToATenthOfASecondAtTheRate() {
        Options o = RelayCommand.parse(new String[] {"--forward", "127.0.0.1:5000", "--rate-mbit", "80"});
        assertEquals(10_000_000, o.profile().rateBytesPerSecond());
        assertEquals(1_000_000, o.profile().queueBytes());
        o = RelayCommand.parse(new String[] {"--forward", "127.0.0.1:5000", "--rate-mbit", "0.01"});
        assertEquals(1250, o.profile().rateBytesPerSecond());
        assertEquals(1500, o.profile().queueBytes(), "at least one full datagram");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--loss 0.1                          | --forward HOST:PORT is required",
        "--forward 127.0.0.1:5000 --loss 2   | --loss: loss rate must be in [0, 1], got 2.0",
        "--forward 127.0.0.1:5000 --loss x   | --loss: expected a number, got 'x'",
        "--forward 127.0.0.1:5000 --delay -1 | --delay: must be at least 0, got -1",
        "--forward 127.0.0.1:5000 --delay    | --delay needs a value",
        "--forward 127.0.0.1:5000 --frob 1   | unknown option --frob",
        "--forward 127.0.0.1:5000 stray      | unexpected argument 'stray'",
        "--forward localhost                 | --forward: expected HOST:PORT, got 'localhost'",
        "--forward 127.0.0.1:0               | --forward: must be at least 1, got 0",
        "--forward 127.0.0.1:70000           | --forward: port must be at most 65535, got 70000",
        "--forward 127.0.0.1:5000 --queue-bytes 100 | --queue-bytes needs --rate-mbit",
        "--forward 127.0.0.1:5000 --rate-mbit 0     | --rate-mbit: must be more than 0, got 0",
        "--forward 127.0.0.1:5000 --seconds 0       | --seconds: must be at least 1, got 0",
        "--forward 127.0.0.1:5000 --reorder 0.1 --reorder-delay 9999999 "
                + "| --reorder-delay: reorder delay must be in [0, 3600000] ms, got 9999999",
    })
    void badArgumentsGiveOneClearLine(String args, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RelayCommand.parse(args.trim().split("\\s+")));
        assertEquals(message, e.getMessage());
    }

    @Test
    void badArgumentsExitWithUsageCodeAndNoStackTrace() {
        Run r = run("--forward", "127.0.0.1:5000", "--loss", "1.5");
        assertEquals(RelayCommand.USAGE, r.code);
        assertEquals("UdpRelay: --loss: loss rate must be in [0, 1], got 1.5 (see --help)" + System.lineSeparator(),
                r.err);
        assertEquals("", r.out);
    }

    @Test
    void helpPrintsUsage() {
        Run r = run("--help");
        assertEquals(RelayCommand.OK, r.code);
        assertTrue(r.out.contains("--forward HOST:PORT"), r.out);
        assertEquals("", r.err);
    }

    @Test
    void busyListenPortCannotStart() throws Exception {
        try (DatagramSocket taken = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            Run r = run("--listen", "127.0.0.1:" + taken.getLocalPort(), "--forward", "127.0.0.1:9");
            assertEquals(RelayCommand.CANNOT_START, r.code);
            assertTrue(r.err.startsWith("UdpRelay: cannot listen on 127.0.0.1:" + taken.getLocalPort()), r.err);
            assertEquals(1, r.err.lines().count(), r.err);
        }
    }

    @Test
    void runsForTheGivenSecondsThenStops() {
        Run r = run("--forward", "127.0.0.1:9", "--loss", "0.1", "--seed", "5", "--seconds", "1");
        assertEquals(RelayCommand.OK, r.code, r.err);
        String first = r.out.lines().findFirst().orElse("");
        assertTrue(first.matches("listening on 127\\.0\\.0\\.1:\\d+, forwarding to 127\\.0\\.0\\.1:9, "
                + "ImpairmentProfile\\{seed=5, loss=0\\.1}"), first);
        assertFalse(first.contains("127.0.0.1:0,"), "prints the bound port");
        assertTrue(r.out.contains("stopped: ImpairmentStats["), r.out);
    }

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = RelayCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private record Run(int code, String out, String err) {
    }
}
