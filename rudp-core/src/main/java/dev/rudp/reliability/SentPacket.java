package dev.rudp.reliability;

import java.util.Arrays;

/**
 * What one sent packet carried, kept until it is acknowledged or declared lost. Slots live in a
 * ring ({@link SentPacketLog}) and are reused, so their arrays are allocated once.
 */
final class SentPacket {
    enum State { OUTSTANDING, ACKED, LOST }

    long packetNumber;
    long timeSentNanos;
    int size;
    boolean ackEliciting;
    boolean inFlight;
    State state;
    boolean hasMaxData;
    /** The sequence number of the ACK_FREQUENCY frame carried, or -1. */
    long ackFrequencySequence;
    /** A path MTU probe: its loss says the size is too big, not that the path is congested. */
    boolean mtuProbe;

    // Delivery-rate state at send time (see DeliveryRateSampler), for rate-based congestion control.
    long deliveredAtSend;
    long deliveredTimeAtSend;
    long firstSentTimeAtSend;
    boolean appLimitedAtSend;

    int fragmentCount;
    OutboundMessage[] messages = new OutboundMessage[8];
    int[] offsets = new int[8];
    int[] lengths = new int[8];

    void reset(long pn, long now) {
        packetNumber = pn;
        timeSentNanos = now;
        size = 0;
        ackEliciting = false;
        inFlight = false;
        state = State.OUTSTANDING;
        hasMaxData = false;
        ackFrequencySequence = -1;
        mtuProbe = false;
        deliveredAtSend = 0;
        deliveredTimeAtSend = 0;
        firstSentTimeAtSend = 0;
        appLimitedAtSend = false;
        clearFragments();
    }

    void clearFragments() {
        Arrays.fill(messages, 0, fragmentCount, null);
        fragmentCount = 0;
    }

    void addFragment(OutboundMessage m, int offset, int length) {
        if (fragmentCount == messages.length) {
            int n = fragmentCount * 2;
            messages = Arrays.copyOf(messages, n);
            offsets = Arrays.copyOf(offsets, n);
            lengths = Arrays.copyOf(lengths, n);
        }
        messages[fragmentCount] = m;
        offsets[fragmentCount] = offset;
        lengths[fragmentCount] = length;
        fragmentCount++;
    }
}
