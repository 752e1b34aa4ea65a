package dev.rudp.channel;

import dev.rudp.reliability.ReliableConnection;
import dev.rudp.wire.PacketHeader;
import dev.rudp.wire.PacketType;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;

/**
 * Builds a connection's DATA packets from its engine and writes them to the datagram channel: the
 * path MTU probe first when one is due, then packets while the channel is writable. With GSO, runs
 * of equal packets are built back to back in one buffer and go out as one segmented datagram.
 * Writes only; the caller flushes.
 */
final class PacketWriter {
    private static final InternalLogger trace = InternalLoggerFactory.getInstance("dev.rudp.trace");

    private final ChannelHandlerContext ctx;
    private final ControlPackets control;
    private final CodecSettings settings;
    private final boolean gso;
    /** Header and trailer around each packet's frames. */
    private final int overhead;

    PacketWriter(ChannelHandlerContext ctx, ControlPackets control, CodecSettings settings, boolean gso) {
        this.ctx = ctx;
        this.control = control;
        this.settings = settings;
        this.gso = gso;
        this.overhead = PacketHeader.DATA_HEADER_SIZE + control.trailer();
    }

    /**
     * Writes what {@code c}'s engine offers, stopping when it has nothing more, the channel is not
     * writable, or {@code limit} packets went out (a GSO run may end a little past it).
     *
     * @return the packets written
     */
    int write(Connection c, int limit, long now) {
        ReliableConnection engine = c.engine;
        int sent = 0;
        int probe = engine.probeSize(now);
        if (probe > 0 && ctx.channel().isWritable()) {
            ByteBuf out = control.newPacket(PacketType.DATA, c.peerId, probe);
            out.writeLong(engine.nextPacketNumber());
            engine.writeProbe(out, probe - overhead, overhead + settings.securityOverhead(probe), probe, now);
            control.seal(out);
            ctx.write(new DatagramPacket(out, c.remote), ctx.voidPromise());
            sent++;
        }
        while (sent < limit && ctx.channel().isWritable()) {
            int max = engine.datagramSize();
            int batch = gso ? Gso.segmentsPerSend(max) : 1;
            ByteBuf out = batch > 1 ? ctx.alloc().directBuffer(batch * max) : null;
            int n = 0;
            boolean idle = false;
            while (n < batch) {
                long pn = engine.nextPacketNumber();
                int start;
                if (out == null) {
                    out = control.newPacket(PacketType.DATA, c.peerId, max);
                    start = 0;
                } else {
                    start = out.writerIndex();
                    PacketHeader.encode(out, PacketType.DATA, c.peerId);
                }
                out.writeLong(pn);
                // Every packet of a run is held to the first one's size: GSO cuts the run into equal segments.
                int status = engine.writePacket(out, max - overhead, overhead + settings.securityOverhead(max), now);
                if (status != ReliableConnection.SENT) {
                    out.writerIndex(start);
                    idle = true;
                    break;
                }
                control.seal(out, start);
                int size = out.writerIndex() - start;
                if (settings.trace() && trace.isDebugEnabled()) {
                    trace.debug("{} send pn={} size={}", c, pn, size);
                }
                n++;
                if (size < max) {
                    break; // a short packet can only end a run
                }
            }
            if (n == 0) {
                out.release();
            } else if (n == 1) {
                ctx.write(new DatagramPacket(out, c.remote), ctx.voidPromise());
            } else {
                ctx.write(Gso.packet(out, max, c.remote), ctx.voidPromise());
            }
            sent += n;
            if (idle) {
                break;
            }
        }
        return sent;
    }
}
