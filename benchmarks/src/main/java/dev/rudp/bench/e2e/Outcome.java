package dev.rudp.bench.e2e;

/**
 * What one transfer produced.
 *
 * @param transport transport name
 * @param profile network profile
 * @param bytes bytes the transfer had to move
 * @param received bytes that arrived (all of them unless it timed out or failed)
 * @param status "ok", "timeout", "corrupt" (checksum mismatch), "n/a" (not run) or "failed: reason"
 * @param seconds wall time from connect to the last byte (to the timeout if it timed out)
 * @param cpuSeconds process CPU time over the same span
 * @param jitSeconds JIT compilation time over the same span (part of cpuSeconds), -1 if unknown
 * @param gcSeconds garbage-collection time over the same span
 * @param peakHeapBytes peak heap in use over the same span
 * @param peakDirectBytes peak Netty direct memory, -1 if unknown
 * @param retransmittedBytes bytes the sender retransmitted, -1 when the transport does not say
 */
public record Outcome(String transport, Profile profile, long bytes, long received, String status, double seconds,
        double cpuSeconds, double jitSeconds, double gcSeconds, long peakHeapBytes, long peakDirectBytes, long retransmittedBytes) {

    /** A transfer that was not run, with the reason. */
    public static Outcome notRun(String transport, Profile profile, long bytes) {
        return new Outcome(transport, profile, bytes, 0, "n/a", 0, 0, 0, 0, 0, -1, -1);
    }

    public boolean ok() {
        return status.equals("ok");
    }

    /** Whether a rate can be shown: completed or timed out with something received. */
    public boolean hasRate() {
        return (ok() || status.equals("timeout")) && seconds > 0 && received > 0;
    }

    /** MB/s (10^6 bytes) of what arrived. */
    public double mbPerSecond() {
        return seconds > 0 ? received / 1e6 / seconds : 0;
    }
}
