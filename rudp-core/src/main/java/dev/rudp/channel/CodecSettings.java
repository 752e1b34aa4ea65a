package dev.rudp.channel;

import dev.rudp.CongestionControl;
import dev.rudp.Delivery;
import dev.rudp.dtls.DtlsConfig;
import dev.rudp.dtls.DtlsHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import java.util.Map;

/**
 * Validated settings of one codec, built by the public codec builders. Internal: embedders use
 * {@code RudpServerCodecBuilder} and {@code RudpClientCodecBuilder}.
 */
public record CodecSettings(boolean server, int maxDatagramSize, long idleTimeoutMillis, long keepaliveMillis,
        long maxAckDelayMillis, long initialRttMillis, long initialWindow, long maxWindow, int maxMessageSize,
        CongestionControl congestionControl, Delivery delivery, int maxConnections, boolean trace,
        ChannelHandler childHandler, Map<ChannelOption<?>, Object> childOptions, byte[] resetKey,
        DtlsConfig dtls, boolean offload) {

    /** Whether packets carry the CRC32C trailer: only without DTLS, whose AEAD protects them better. */
    public boolean checksum() {
        return dtls == null;
    }

    /** These settings with {@code key} as the stateless reset key. */
    public CodecSettings withResetKey(byte[] key) {
        return new CodecSettings(server, maxDatagramSize, idleTimeoutMillis, keepaliveMillis, maxAckDelayMillis,
                initialRttMillis, initialWindow, maxWindow, maxMessageSize, congestionControl, delivery, maxConnections,
                trace, childHandler, childOptions, key, dtls, offload);
    }

    /** Bytes the security layer adds to a datagram of one record. */
    public int securityOverhead() {
        return dtls == null ? 0 : DtlsHandler.RECORD_OVERHEAD;
    }

    /** Bytes the security layer adds to a packet of {@code size} bytes: one record's worth per record it takes. */
    public int securityOverhead(int size) {
        return dtls == null ? 0 : DtlsHandler.overhead(size, dtls.maxRecordPlaintext());
    }
}
