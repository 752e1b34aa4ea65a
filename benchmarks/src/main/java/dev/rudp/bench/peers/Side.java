package dev.rudp.bench.peers;

import java.util.ArrayList;
import java.util.List;

/**
 * One end of a transfer: the network namespace its programs run in (null for the machine's own) and the
 * address they bind or are reached at.
 *
 * @param ns namespace name, or null
 * @param addr IPv4 address of this end
 * @param dev the end's network device ({@code lo} on loopback)
 * @param cpus the CPUs its programs are pinned to ({@code taskset -c} list), or null for any
 */
record Side(String ns, String addr, String dev, String cpus) {
    static final Side LOOPBACK = new Side(null, "127.0.0.1", "lo");

    Side(String ns, String addr, String dev) {
        this(ns, addr, dev, null);
    }

    /** This end with its programs (and what they start) kept on {@code cpus} ({@code taskset -c}). */
    Side pinned(String cpus) {
        return new Side(ns, addr, dev, cpus);
    }

    /** {@code argv} run in this end's namespace ({@code ip netns exec} execs it: same process id). */
    List<String> exec(List<String> argv) {
        List<String> out = new ArrayList<>();
        if (ns != null) {
            out.addAll(List.of("ip", "netns", "exec", ns));
        }
        if (cpus != null) {
            out.addAll(List.of("taskset", "-c", cpus));
        }
        out.addAll(argv);
        return out;
    }
}
