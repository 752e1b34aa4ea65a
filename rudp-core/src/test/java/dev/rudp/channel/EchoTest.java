package dev.rudp.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import dev.rudp.RudpChannelOption;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

class EchoTest {
    private static ChannelInboundHandlerAdapter echo() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ctx.writeAndFlush(msg);
            }

            @Override
            public boolean isSharable() {
                return true;
            }
        };
    }

    @Test
    void echoesMessagesInOrder() throws Exception {
        LinkedBlockingQueue<String> got = new LinkedBlockingQueue<>();
        try (Loopback lo = Loopback.start(echo())) {
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

    @Test
    void traceOptionLogsEveryPacketEventAtDebug() throws Exception {
        // Netty logs through java.util.logging when no other backend is on the class path.
        Logger trace = Logger.getLogger("dev.rudp.trace");
        List<String> lines = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                lines.add(java.text.MessageFormat.format(r.getMessage().replace("{}", "%s"), r.getParameters()));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Level before = trace.getLevel();
        trace.setLevel(Level.FINE);
        trace.addHandler(capture);
        LinkedBlockingQueue<String> got = new LinkedBlockingQueue<>();
        try (Loopback lo = Loopback.start(echo(), b -> b.option(RudpChannelOption.TRACE, true), b -> { })) {
            RudpChannel ch = lo.connect(new SimpleChannelInboundHandler<ByteBuf>() {
                @Override
                protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
                    got.add(msg.toString(StandardCharsets.UTF_8));
                }
            });
            ch.writeAndFlush(Unpooled.copiedBuffer("traced", StandardCharsets.UTF_8));
            // Once the echo is back, the (tracing) server has received our packet and sent its own.
            assertEquals("traced", got.poll(10, TimeUnit.SECONDS));
            ch.close().sync();
        } finally {
            trace.removeHandler(capture);
            trace.setLevel(before);
        }
        assertTrue(lines.stream().anyMatch(l -> l.contains("recv pn=")), lines.toString());
        assertTrue(lines.stream().anyMatch(l -> l.contains("send pn=")), lines.toString());
    }
}
