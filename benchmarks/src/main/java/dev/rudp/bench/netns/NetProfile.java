package dev.rudp.bench.netns;

import dev.rudp.bench.e2e.Profile;
import java.util.Locale;

/**
 * One network condition between the two namespaces, named like the e2e runner's profiles:
 * {@code clean} (nothing added), or parts joined by {@code -}: {@code lossP} (P % of packets dropped
 * by the kernel on arrival, each direction), {@code rttM} (M ms of round trip, M/2 each way, which needs
 * a delay relay: this kernel has no netem), {@code rateNm} (a tbf limit of N Mbit/s on each side's
 * egress).
 *
 * @param name the name as given
 * @param lossPercent packets dropped per direction, percent
 * @param rttMillis round-trip delay added, ms
 * @param rateMbit limit per direction in Mbit/s, 0 for none
 */
public record NetProfile(String name, double lossPercent, long rttMillis, long rateMbit) {
    /** Smallest tbf queue, as the e2e runner's rate profiles. */
    public static final long MIN_QUEUE_BYTES = 256 << 10;

    /** Parses a profile name; throws IllegalArgumentException for anything else. */
    public static NetProfile parse(String spec) {
        String s = spec.trim().toLowerCase(Locale.ROOT);
        if (s.equals("clean")) {
            return new NetProfile(s, 0, 0, 0);
        }
        if (s.equals("loopback")) {
            throw new IllegalArgumentException("no loopback profile between namespaces: use clean");
        }
        Profile parts = Profile.parse(s); // the same lossP-rttM-rateNm names as the e2e runner
        if (parts.lossPercent() >= 100) {
            throw new IllegalArgumentException("profile out of range (loss 0..<100, even rtt >= 0, rate >= 0): " + spec);
        }
        return new NetProfile(s, parts.lossPercent(), parts.rttMillis(), parts.rateMbit());
    }

    public boolean lossy() {
        return lossPercent > 0;
    }

    public boolean delayed() {
        return rttMillis > 0;
    }

    /** Packets a kernel drop rule lets through out of a million are {@code 1e6 - dropPerMillion()}. */
    public long dropPerMillion() {
        return Math.round(lossPercent * 10_000);
    }

    /** tbf queue: one bandwidth-delay product, at least {@link #MIN_QUEUE_BYTES}. */
    public long queueBytes() {
        return Math.max(MIN_QUEUE_BYTES, rateMbit * 1_000_000 / 8 * Math.max(1, rttMillis) / 1000);
    }

    /** tbf bucket: 2 ms at the rate, at least 32 KiB (several MTUs, and timer slack at high rates). */
    public long burstBytes() {
        return Math.max(32 << 10, rateMbit * 1_000_000 / 8 / 500);
    }
}
