package dev.rudp.bench.netns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rudp.bench.Repeats;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pure parts of the namespace benchmark: parsing, command construction, counters, the table. The run itself needs root. */
class NetnsPartsTest {
    private static final Topology.Names NAMES = Topology.Names.forPid(4242);

    @Test
    void shouldParseProfiles() {
        NetProfile clean = NetProfile.parse("clean");
        assertEquals(0, clean.lossPercent());
        assertTrue(!clean.lossy() && !clean.delayed());

        NetProfile p = NetProfile.parse("loss1-rtt20-rate200m");
        assertEquals(1.0, p.lossPercent());
        assertEquals(20, p.rttMillis());
        assertEquals(200, p.rateMbit());
        assertEquals(10_000, p.dropPerMillion());
        assertEquals(500_000, p.queueBytes(), "one BDP: 200 Mbit/s x 20 ms");
        assertEquals(50_000, p.burstBytes(), "2 ms at 200 Mbit/s");
        assertEquals(NetProfile.MIN_QUEUE_BYTES, NetProfile.parse("rate10m").queueBytes());
        assertEquals(50_000, NetProfile.parse("loss5").dropPerMillion());
        assertEquals(2_500, NetProfile.parse("loss0.25").dropPerMillion());

        assertThrows(IllegalArgumentException.class, () -> NetProfile.parse("loss1-jitter5"));
        assertThrows(IllegalArgumentException.class, () -> NetProfile.parse("rtt15"));
        assertThrows(IllegalArgumentException.class, () -> NetProfile.parse("loss100"));
        assertThrows(IllegalArgumentException.class, () -> NetProfile.parse("lossx"));
    }

    @Test
    void shouldParseOptionsWithDefaults(@TempDir Path dir) {
        NetnsOptions o = NetnsOptions.parse(new String[] {"--lossy-bytes", "32m", "--transports", "rudp,tcp-bbr",
            "--out", "res"}, dir);
        assertEquals(4, o.profiles().size());
        assertEquals(List.of("rudp", "tcp-bbr"), o.transports().stream().map(NetnsOptions.TransportSpec::name).toList());
        assertEquals(1L << 30, o.bytesFor(NetProfile.parse("clean")));
        assertEquals(32L << 20, o.bytesFor(NetProfile.parse("loss5")));
        assertEquals(dir.resolve("res"), o.out());
        assertEquals("bbr", o.transports().get(1).cc());

        assertThrows(IllegalArgumentException.class, () -> NetnsOptions.parse(new String[] {"--transports", "quic"}, dir));
        assertThrows(IllegalArgumentException.class, () -> NetnsOptions.parse(new String[] {"--timeout"}, dir));
        assertThrows(IllegalArgumentException.class, () -> NetnsOptions.parse(new String[] {"--linkemu", "nope.py"}, dir));
        assertThrows(IllegalArgumentException.class, () -> NetnsOptions.parse(new String[] {"--bytes", "0"}, dir));
        assertNull(NetnsOptions.findLinkemu(dir));
    }

    @Test
    void shouldBuildTheLinkCommands() {
        assertTrue(NAMES.devA().length() <= 15 && NAMES.devB().length() <= 15, "interface names fit IFNAMSIZ");
        assertEquals(List.of("ip", "link", "add", "rba4242", "netns", "rudpbench-a-4242", "type", "veth", "peer", "name",
                "rbb4242", "netns", "rudpbench-b-4242"), Topology.createVeth(NAMES).get(0));
        assertEquals(List.of("ip", "netns", "exec", "rudpbench-b-4242", "ethtool", "-K", "rbb4242", "tso", "off", "gso",
                "off", "gro", "off"), Topology.offloadsOff(NAMES).get(1));
        assertEquals(List.of("tc", "-n", "rudpbench-a-4242", "qdisc", "replace", "dev", "rba4242", "root", "tbf", "rate",
                "200mbit", "burst", "50000", "limit", "500000"),
                Topology.tbf(NAMES.nsA(), NAMES.devA(), NetProfile.parse("loss1-rtt20-rate200m")));
        assertEquals(List.of("ip", "netns", "exec", "rudpbench-a-4242", "sysctl", "-q", "-w",
                "net.ipv4.tcp_congestion_control=cubic"), Topology.congestionControl(NAMES.nsA(), "cubic"));
        assertEquals(List.of("python3", "/x/linkemu.py", "--tun-a", "rba4242", "--tun-b", "rbb4242", "--delay-ms", "10.0",
                "--seconds", "600"), Topology.linkemu("python3", Paths.get("/x/linkemu.py"), NAMES,
                        NetProfile.parse("rtt20"), 600));
        assertTrue(Topology.iptablesDrop("ns", "dev", 5).get(1).containsAll(List.of("--probability", "0.050000", "DROP")));

        String nft = Topology.nftScript("rbb4242", 50_000);
        assertTrue(nft.contains("type filter hook ingress device \"rbb4242\""), nft);
        assertTrue(nft.contains("meta protocol ip numgen random mod 1000000 < 50000 counter drop"), nft);
    }

    @Test
    void shouldReadCounters() {
        String nft = """
                table netdev rudpbench {
                	chain in {
                		type filter hook ingress device "rbb1" priority filter; policy accept;
                		meta protocol ip counter packets 23815 bytes 35294410
                		meta protocol ip numgen random mod 1000000 < 50000 counter packets 1186 bytes 1757652 drop
                	}
                }
                """;
        assertEquals(List.of(23815L, 1186L), Topology.counters(nft));
        String iptables = """
                Chain INPUT (policy ACCEPT 0 packets, 0 bytes)
                    pkts      bytes target     prot opt in     out     source               destination
                   23815 35294410            all  --  rbb1   *       0.0.0.0/0            0.0.0.0/0
                    1186  1757652 DROP       all  --  rbb1   *       0.0.0.0/0            0.0.0.0/0            statistic mode random probability 0.05000000000
                """;
        assertEquals(List.of(23815L, 1186L), Topology.iptablesCounters(iptables));
        String snmp = """
                Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens AttemptFails EstabResets CurrEstab InSegs OutSegs RetransSegs InErrs OutRsts InCsumErrors
                Tcp: 1 200 120000 -1 3 3 0 0 0 70337 70478 1234 0 0 0
                """;
        assertEquals(1234, Topology.retransSegs(snmp));
        assertEquals(-1, Topology.retransSegs("Ip: 1 2\n"));
    }

    @Test
    void shouldBuildThePeerCommand(@TempDir Path dir) {
        NetnsOptions o = NetnsOptions.parse(new String[] {"--seed", "7", "--offload", "true", "--warmup-rounds", "3"}, dir);
        List<String> c = NetnsRunner.peerCommand("nsB", "receive", NetnsOptions.TransportSpec.parse("rudp-newreno"), 1024, o,
                "/jdk/bin/java", "/b.jar");
        assertEquals(List.of("ip", "netns", "exec", "nsB", "/jdk/bin/java"), c.subList(0, 5));
        assertTrue(c.get(5).startsWith("-Dio.netty.leakDetection.level="), c.get(5));
        assertEquals(List.of("-cp", "/b.jar", Peer.class.getName(), "receive"), c.subList(6, 10));
        String joined = String.join(" ", c);
        assertTrue(joined.contains("--transport rudp --cc NEW_RENO --dtls false --bytes 1024 --timeout 60 --seed 7"), joined);
        assertTrue(joined.contains("--offload true"), joined);
        assertTrue(joined.contains("--warmup-rounds 3"), joined);
        assertThrows(IllegalArgumentException.class, () -> NetnsOptions.parse(new String[] {"--offload", "yes"}, dir));
        assertThrows(IllegalArgumentException.class, () -> NetnsOptions.parse(new String[] {"--warmup-rounds", "0"}, dir));
        assertThrows(IllegalArgumentException.class, () -> NetnsOptions.parse(new String[] {"--repeat", "0"}, dir));
        assertEquals(3, NetnsOptions.parse(new String[] {"--repeat", "3"}, dir).repeat());
    }

    @Test
    void shouldJudgeTargetsAndMarkTimeouts() {
        NetProfile loss5 = NetProfile.parse("loss5");
        NetProfile limited = NetProfile.parse("loss1-rtt20-rate200m");
        long mb = 1_000_000;
        List<NetnsTable.Row> rows = List.of(
                new NetnsTable.Row(loss5, "rudp", 100 * mb, 100 * mb, "ok", 1.0, 0, null),
                new NetnsTable.Row(loss5, "tcp-cubic", 100 * mb, 40 * mb, "timeout", 10.0, 0, null),
                new NetnsTable.Row(loss5, "tcp-bbr", 100 * mb, 100 * mb, "ok", 2.0, 0, new long[] {1000, 50, 100, 5}),
                new NetnsTable.Row(limited, "rudp", 100 * mb, 100 * mb, "ok", 4.5, 0, null));
        assertEquals("25.00*", NetnsTable.ratio(rows.get(0), rows.get(1)));
        assertEquals("2.00", NetnsTable.ratio(rows.get(0), rows.get(2)));
        String table = NetnsTable.render(rows);
        assertTrue(table.contains("| loss5 | tcp-cubic | 95 | timeout after 10 s with 40.0 MB moved | 4.0 |"), table);
        assertTrue(table.contains("| 5.00 % | 5.00 % |"), table);
        assertTrue(table.contains("| 88.9 % |"), table);
        String targets = NetnsTable.targets(rows);
        assertTrue(targets.contains("rudp ≥ 20x tcp-cubic: 25.00*, met; rudp ≥ tcp-bbr: 2.00, met"), targets);
        assertTrue(targets.contains("rudp goodput ≥ 85 % of 200 Mbit/s: 88.9 % of the limit, met"), targets);
        NetnsTable.Row slower = new NetnsTable.Row(loss5, "rudp", 100 * mb, 100 * mb, "ok", 2.0, 0, null);
        Repeats<NetnsTable.Row> two = Repeats.of(List.of(rows.get(0), slower), r -> true, NetnsTable.Row::mbPerSecond);
        assertTrue(NetnsTable.render(rows, Map.of(rows.get(0), two)).contains("| 100.0 | 50.0-100.0 (2) |"),
                "the spread of the repeated runs");
    }
}
