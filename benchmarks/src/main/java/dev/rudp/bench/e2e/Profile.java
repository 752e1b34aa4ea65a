package dev.rudp.bench.e2e;

import dev.rudp.sim.ImpairmentProfile;
import java.util.Locale;

/**
 * One network condition of an end-to-end run, named like {@code loss1-rtt20} or {@code rtt20-rate100m}:
 * {@code lossP} drops P percent of the datagrams each way, {@code rttM} adds M/2 ms of delay each way,
 * {@code rateNm} limits each direction to N Mbit/s with a drop-tail queue of {@link #RATE_QUEUE_BYTES}.
 * {@code loopback} is the plain loopback path with no simulator in the pipeline at all.
 *
 * @param name the name as given
 * @param lossPercent datagrams dropped per direction, percent
 * @param rttMillis round-trip delay added, ms (half of it each way)
 * @param rateMbit bottleneck per direction in Mbit/s, 0 for none
 * @param simulated whether an {@code ImpairmentHandler} sits in the datagram pipelines
 */
public record Profile(String name, double lossPercent, long rttMillis, long rateMbit, boolean simulated) {
    /** Drop-tail queue of the rate-limited profiles. */
    public static final int RATE_QUEUE_BYTES = 256 << 10;

    /** The plain loopback path. */
    public static final Profile LOOPBACK = new Profile("loopback", 0, 0, 0, false);

    /** Parses a profile name; throws IllegalArgumentException for anything else. */
    public static Profile parse(String spec) {
        String s = spec.trim().toLowerCase(Locale.ROOT);
        if (s.equals("loopback")) {
            return LOOPBACK;
        }
        double loss = 0;
        long rtt = 0;
        long rate = 0;
        for (String part : s.split("-")) {
            try {
                if (part.startsWith("loss")) {
                    loss = Double.parseDouble(part.substring(4));
                } else if (part.startsWith("rtt")) {
                    rtt = Long.parseLong(part.substring(3));
                } else if (part.startsWith("rate") && part.endsWith("m")) {
                    rate = Long.parseLong(part.substring(4, part.length() - 1));
                } else {
                    throw new IllegalArgumentException("unknown profile part '" + part + "' in " + spec);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad number in profile part '" + part + "' of " + spec, e);
            }
        }
        if (loss < 0 || loss > 100 || rtt < 0 || rate < 0 || rtt % 2 != 0) {
            throw new IllegalArgumentException("profile out of range (loss 0..100, even rtt >= 0, rate >= 0): " + spec);
        }
        return new Profile(s, loss, rtt, rate, true);
    }

    /** The simulator profile for ONE direction (each endpoint impairs what it sends). */
    public ImpairmentProfile oneWay(long seed) {
        ImpairmentProfile.Builder b = ImpairmentProfile.builder().seed(seed).loss(lossPercent / 100.0).delay(rttMillis / 2);
        if (rateMbit > 0) {
            b.rateLimit(rateMbit * 1_000_000 / 8, RATE_QUEUE_BYTES);
        }
        return b.build();
    }
}
