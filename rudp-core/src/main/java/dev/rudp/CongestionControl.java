package dev.rudp;

import dev.rudp.reliability.CongestionController;
import dev.rudp.reliability.NewReno;

/** Congestion control algorithms a connection can use, chosen with {@link RudpChannelOption#CONGESTION_CONTROL}. */
public enum CongestionControl {
    /** NewReno as specified for QUIC (RFC 9002): the default. */
    NEW_RENO {
        @Override
        public CongestionController create(int maxDatagramSize) {
            return new NewReno(maxDatagramSize);
        }
    };

    /** A fresh controller for one connection. */
    public abstract CongestionController create(int maxDatagramSize);
}
