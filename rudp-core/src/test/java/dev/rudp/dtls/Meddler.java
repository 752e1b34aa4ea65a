package dev.rudp.dtls;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import java.util.concurrent.atomic.AtomicReference;

/** Put beneath a DtlsHandler: tampers with or replays the next inbound application-data record, once. */
final class Meddler extends ChannelInboundHandlerAdapter {
    enum Mode { TAMPER, REPLAY }

    private final AtomicReference<Mode> armed = new AtomicReference<>();

    void arm(Mode mode) {
        armed.set(mode);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        DatagramPacket p = (DatagramPacket) msg;
        ByteBuf content = p.content();
        boolean applicationData = content.readableBytes() > RecordGuard.RECORD_HEADER
                && content.getUnsignedByte(content.readerIndex()) == RecordGuard.APPLICATION_DATA;
        Mode mode = applicationData ? armed.getAndSet(null) : null;
        if (mode == Mode.TAMPER) {
            int last = content.writerIndex() - 1;
            content.setByte(last, content.getByte(last) ^ 0x01);
        }
        ctx.fireChannelRead(p);
        if (mode == Mode.REPLAY) {
            ctx.fireChannelRead(new DatagramPacket(content.retainedDuplicate(), p.recipient(), p.sender()));
        }
    }
}
