package dev.rudp.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.rudp.RudpChannel;
import dev.rudp.testing.Loopback;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.SimpleChannelInboundHandler;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class EchoTest {
    @Test
    void echoesMessagesInOrder() throws Exception {
        ChannelInboundHandlerAdapter echo = new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ctx.writeAndFlush(msg);
            }

            @Override
            public boolean isSharable() {
                return true;
            }
        };
        LinkedBlockingQueue<String> got = new LinkedBlockingQueue<>();
        try (Loopback lo = Loopback.start(echo)) {
            RudpChannel ch = lo.connect(new SimpleChannelInboundHandler<ByteBuf>() {
                @Override
                protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
                    got.add(msg.toString(StandardCharsets.UTF_8));
                }
            });
            for (int i = 0; i < 100; i++) {
                ch.write(Unpooled.copiedBuffer("hello " + i, StandardCharsets.UTF_8));
            }
            ch.flush();
            for (int i = 0; i < 100; i++) {
                assertEquals("hello " + i, got.poll(10, TimeUnit.SECONDS));
            }
            ch.close().sync();
        }
    }
}
