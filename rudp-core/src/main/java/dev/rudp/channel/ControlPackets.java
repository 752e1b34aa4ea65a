package dev.rudp.channel;

import dev.rudp.dtls.DtlsHandler;
import dev.rudp.wire.Checksum;
import dev.rudp.wire.Handshake;
import dev.rudp.wire.PacketHeader;
import dev.rudp.wire.PacketType;
import dev.rudp.wire.TransportParameters;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;

/**
 * Builds and sends the datagrams outside a connection's packet stream (INITIAL, RETRY, ACCEPT,
 * RESET) and seals every outgoing datagram: the CRC32C trailer in plaintext mode, nothing under
 * DTLS, whose records are authenticated. Also the rate limit and size rule of stateless resets.
 */
final class ControlPackets {
    private static final int RESETS_PER_SECOND = 256;

    private final CodecSettings settings;
    private final Checksum checksum = new Checksum();
    private ChannelHandlerContext ctx;
    private long resetWindowStart;
    private int resetsInWindow;

    ControlPackets(CodecSettings settings) {
        this.settings = settings;
    }

    /** What this side announces to {@code c}'s peer. */
    private TransportParameters localParams(Connection c) {
        return new TransportParameters((int) settings.idleTimeoutMillis(), c.receiveLimit, settings.initialWindow(),
                settings.maxMessageSize(), TransportParameters.ACK_FREQUENCY
                        | (settings.dtls() != null ? TransportParameters.WHOLE_DATAGRAMS : 0));
    }

    void attach(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    /** Bytes a sealed datagram adds after the packet: the checksum, if any. */
    int trailer() {
        return settings.checksum() ? Checksum.SIZE : 0;
    }

    /**
     * Largest rudp packet (header to trailer) worth probing for: within the limit each side announced
     * ({@code ourLimit} already holds our interface's MTU toward the peer) and, under DTLS, one record,
     * unless the peer reads several records of a datagram as one packet ({@link TransportParameters#WHOLE_DATAGRAMS}).
     */
    int packetCeiling(TransportParameters peer, int ourLimit) {
        int datagram = Math.min(peer.maxDatagramSize(), ourLimit);
        int packet = datagram - settings.securityOverhead();
        if (settings.dtls() != null) {
            if (peer.wholeDatagrams()) {
                while (packet + settings.securityOverhead(packet) > datagram) {
                    packet -= DtlsHandler.RECORD_OVERHEAD;
                }
            } else {
                packet = Math.min(packet, settings.dtls().maxRecordPlaintext());
            }
        }
        return Math.max(packet, packetBase());
    }

    /** The packet size every path carries, where path MTU discovery starts: a 1200-byte datagram. */
    int packetBase() {
        return Handshake.MIN_DATAGRAM_SIZE - settings.securityOverhead();
    }

    /** The smallest INITIAL datagram, as a packet before the security layer: 1200 bytes on the wire. */
    int minInitialPacket() {
        return Handshake.MIN_DATAGRAM_SIZE - settings.securityOverhead();
    }

    /** Checks and strips the trailer of a received packet; false if it is corrupt. */
    boolean open(ByteBuf packet) {
        return !settings.checksum() || checksum.verifyAndStrip(packet);
    }

    /** Appends the trailer. */
    void seal(ByteBuf packet) {
        seal(packet, packet.readerIndex());
    }

    /** Appends the trailer to the packet that starts at {@code from}, in a buffer holding several. */
    void seal(ByteBuf buf, int from) {
        if (settings.checksum()) {
            checksum.append(buf, from);
        }
    }

    ByteBuf newPacket(PacketType type, long dcid, int capacity) {
        // Under DTLS, BouncyCastle encrypts from a byte[]: a heap packet spares a copy per record.
        ByteBuf out = settings.dtls() != null ? ctx.alloc().heapBuffer(capacity) : ctx.alloc().directBuffer(capacity);
        PacketHeader.encode(out, type, dcid);
        return out;
    }

    private void send(ByteBuf out, InetSocketAddress to) {
        seal(out);
        ctx.writeAndFlush(new DatagramPacket(out, to), ctx.voidPromise());
    }

    void sendRetry(long clientId, InetSocketAddress to, byte[] token) {
        ByteBuf out = newPacket(PacketType.RETRY, clientId, 64);
        Handshake.encodeRetry(out, token);
        send(out, to);
    }

    void sendAccept(Connection c) {
        ByteBuf out = newPacket(PacketType.ACCEPT, c.peerId, 128);
        Handshake.encodeAccept(out, c.localId, c.resetToken, localParams(c));
        send(out, c.remote);
    }

    void sendInitial(Connection c) {
        ByteBuf out = newPacket(PacketType.INITIAL, c.localId, Handshake.MIN_DATAGRAM_SIZE);
        Handshake.encodeInitial(out, c.retryToken, localParams(c), minInitialPacket() - trailer());
        c.initialsSent++;
        send(out, c.remote);
    }

    /**
     * Answers DATA for an unknown connection with a stateless reset, rate-limited, and only when
     * the reset is smaller than what came in: it can neither amplify nor loop between two servers.
     */
    void maybeSendReset(long unknownId, LongFunction<byte[]> tokenOf, InetSocketAddress to, int receivedSize,
            long nowNanos) {
        int resetSize = PacketHeader.SIZE + Handshake.RESET_TOKEN_SIZE + trailer();
        if (receivedSize <= resetSize) {
            return;
        }
        if (nowNanos - resetWindowStart > TimeUnit.SECONDS.toNanos(1)) {
            resetWindowStart = nowNanos;
            resetsInWindow = 0;
        }
        if (resetsInWindow++ >= RESETS_PER_SECOND) {
            return;
        }
        ByteBuf out = newPacket(PacketType.RESET, unknownId, resetSize);
        out.writeBytes(tokenOf.apply(unknownId)); // an HMAC: only for datagrams that really get a reset
        send(out, to);
    }
}
