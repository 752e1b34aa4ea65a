package dev.rudp.bench.e2e;

/** One way of moving the payload from a sender to a receiver in this JVM. */
public interface Transport {
    /** Name used in the table and plots. */
    String name();

    /** Whether this transport can run under {@code profile}; the table shows "n/a" otherwise. */
    boolean supports(Profile profile);

    /**
     * Moves {@code job.bytes()} bytes. Calls {@code meter.start()} just before connecting and
     * {@code meter.stop()} when the last byte arrived; returns after at most about
     * {@code job.timeoutMillis()} plus teardown, having released everything it set up.
     */
    Result transfer(Job job, Meter meter) throws Exception;

    /**
     * The datagram channel's handler for {@code job}: {@code codec} alone on loopback, behind an
     * impairment of what the channel sends (with this end's {@code seed}) under a simulated profile.
     */
    static io.netty.channel.ChannelHandler impaired(Job job, long seed, io.netty.channel.ChannelHandler codec) {
        return job.profile().simulated()
                ? dev.rudp.sim.ImpairmentHandler.impairingSendsOf(codec, job.profile().oneWay(seed)) : codec;
    }

    /**
     * One transfer to run.
     *
     * @param payload the bytes
     * @param bytes how many to move
     * @param profile the network condition
     * @param seed simulator seed
     * @param datagram largest UDP payload (rudp MAX_DATAGRAM_SIZE, QUIC max UDP payload)
     * @param message application write size (rudp message, QUIC stream write)
     * @param timeoutMillis give up after this long and report "timeout"
     */
    record Job(Payload payload, long bytes, Profile profile, long seed, int datagram, int message, long timeoutMillis) {
    }

    /**
     * What arrived.
     *
     * @param received bytes received
     * @param complete whether all arrived before the timeout
     * @param crc CRC32C of the bytes received
     * @param retransmittedBytes sender's retransmitted bytes, -1 if unknown
     */
    record Result(long received, boolean complete, long crc, long retransmittedBytes) {
    }
}
