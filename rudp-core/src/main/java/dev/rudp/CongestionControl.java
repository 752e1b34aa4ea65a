package dev.rudp;

import dev.rudp.reliability.Bbr;
import dev.rudp.reliability.CongestionController;
import dev.rudp.reliability.Cubic;
import dev.rudp.reliability.NewReno;

/** Congestion control algorithms a connection can use, chosen with {@link RudpChannelOption#CONGESTION_CONTROL}. */
public enum CongestionControl {
    /** NewReno as specified for QUIC (RFC 9002): the default. */
    NEW_RENO {
        @Override
        public CongestionController create(int maxDatagramSize) {
            return new NewReno(maxDatagramSize);
        }
    },
    /**
     * CUBIC (RFC 9438) with HyStart++ slow start (RFC 9406): loss-based like NewReno, but regains
     * a large window in time independent of the RTT, so it fills long fat paths.
     */
    CUBIC {
        @Override
        public CongestionController create(int maxDatagramSize) {
            return new Cubic(maxDatagramSize);
        }
    },
    /**
     * A BBR-style rate-based controller: paces at the measured bottleneck bandwidth, keeps the
     * queue small, and does not take random loss below 10% per round for congestion.
     */
    BBR {
        @Override
        public CongestionController create(int maxDatagramSize) {
            return new Bbr(maxDatagramSize);
        }
    };

    /** A fresh controller for one connection. */
    public abstract CongestionController create(int maxDatagramSize);
}
