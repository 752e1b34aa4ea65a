package dev.rudp.bench;

import dev.rudp.bench.e2e.E2eRunner;
import dev.rudp.bench.idle.IdleRunner;
import dev.rudp.bench.netns.NetnsRunner;
import dev.rudp.bench.peers.PeersRunner;
import java.util.Arrays;

/**
 * Entry point of {@code benchmarks.jar}:
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar jmh [JMH options]      micro-benchmarks (JMH's own CLI; -h for help)
 * java -jar benchmarks/target/benchmarks.jar e2e [options]          end-to-end runner (--help for options)
 * java -jar benchmarks/target/benchmarks.jar netns [options]        rudp vs kernel TCP across network namespaces (root)
 * java -jar benchmarks/target/benchmarks.jar peers MODE [options]   real UDP tools vs bin/fileclient (loopback | link | sweep)
 * java -jar benchmarks/target/benchmarks.jar oneshot [--repeat N]   one-shot `ls`: sftp -b vs bin/fileclient (key login)
 * java -jar benchmarks/target/benchmarks.jar idle [options]         server memory with idle connections (--help)
 * java -jar benchmarks/target/benchmarks.jar load [options]         200 sessions through 2 % loss (issue 16)
 * java -jar benchmarks/target/benchmarks.jar flood [options]        a handshake flood beside idle sessions and transfers (issue 16)
 * java -jar benchmarks/target/benchmarks.jar scaleout [--bytes 512m] [--repeat 3]   one server direct vs through bin/balancer (nginx)
 * java -jar benchmarks/target/benchmarks.jar loopback [options]     the first rudp-vs-TCP loopback comparison
 * java -jar benchmarks/target/benchmarks.jar loops [options]        serve --loops 1 vs 2: two concurrent gets
 * java -jar benchmarks/target/benchmarks.jar --bytes 1g ...        the same (the original command line)
 * </pre>
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].startsWith("--")) {
            // The original command line (java -jar benchmarks.jar --bytes 1g --runs 3) still runs the loopback comparison.
            LoopbackThroughput.main(args);
            return;
        }
        String command = args.length == 0 ? "" : args[0];
        String[] rest = args.length == 0 ? args : Arrays.copyOfRange(args, 1, args.length);
        switch (command) {
            case "jmh" -> org.openjdk.jmh.Main.main(rest);
            case "e2e" -> {
                if (rest.length == 1 && (rest[0].equals("--help") || rest[0].equals("-h"))) {
                    System.out.println(E2eRunner.usage());
                    return;
                }
                int status = E2eRunner.main(rest, System.out);
                System.exit(status);
            }
            case "netns" -> System.exit(NetnsRunner.main(rest, System.out));
            case "peers" -> System.exit(PeersRunner.main(rest, System.out));
            case "oneshot" -> System.exit(dev.rudp.bench.peers.OneShot.main(rest, System.out));
            case "s3" -> System.exit(dev.rudp.bench.peers.S3Bench.main(rest, System.out));
            case "idle" -> {
                if (rest.length == 1 && (rest[0].equals("--help") || rest[0].equals("-h"))) {
                    System.out.println(IdleRunner.usage());
                    return;
                }
                System.exit(IdleRunner.main(rest, System.out));
            }
            case "load" -> System.exit(dev.rudp.bench.load.LoadRunner.main(rest, System.out));
            case "flood" -> System.exit(dev.rudp.bench.load.FloodRunner.main(rest, System.out));
            case "scaleout" -> System.exit(dev.rudp.bench.scaleout.ScaleOutRunner.main(rest, System.out));
            case "loopback" -> LoopbackThroughput.main(rest);
            case "loops" -> System.exit(dev.rudp.bench.files.LoopsBench.main(rest, System.out));
            default -> {
                System.err.println("usage: java -jar benchmarks.jar (jmh [JMH options] | e2e [options] | netns [options] | peers MODE [options] | oneshot [--repeat N] | s3 [--size BYTES] [--rounds N]"
                        + " | idle [options] | load [options] | flood [options] | scaleout [--bytes 512m] [--repeat 3]"
                        + " | loopback [options] | loops [options])");
                System.exit(2);
            }
        }
    }
}
