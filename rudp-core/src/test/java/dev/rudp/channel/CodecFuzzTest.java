package dev.rudp.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.rudp.CongestionControl;
import dev.rudp.Delivery;
import dev.rudp.dtls.DtlsConfig;
import dev.rudp.wire.Handshake;
import dev.rudp.wire.PacketHeader;
import dev.rudp.wire.PacketType;
import dev.rudp.wire.TransportParameters;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.internal.logging.InternalLoggerFactory;
import io.netty.util.internal.logging.JdkLoggerFactory;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzz target for what the DTLS layer hands to rudp: the plaintext of each authenticated record,
 * arriving at a server codec as a datagram (no CRC32C trailer under DTLS, and no cookie: DTLS proved
 * the address). Each input first opens one connection with a valid INITIAL, then sends the fuzzer's
 * datagrams, from that client or a stranger, optionally aimed at the connection's real id, while the
 * clock moves on. The codec drops bad datagrams and counts them; it must never hit an internal error
 * (it would swallow it and log it at DEBUG, which this target listens for), never let an exception
 * reach the pipeline, and release every buffer (the leak detector runs at paranoid level).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CodecFuzzTest {
    private static final InetSocketAddress SERVER = new InetSocketAddress("127.0.0.1", 7777);
    private static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 50000);
    private static final InetSocketAddress STRANGER = new InetSocketAddress("127.0.0.2", 50001);
    private static final long CLIENT_ID = 0x1234_5678L;
    private static final DtlsConfig DTLS = DtlsConfig.serverPsk(identity -> new byte[32]).build();
    private static final List<Throwable> INTERNAL_ERRORS = new ArrayList<>();

    static {
        // The codec reports a swallowed internal error at DEBUG with its exception; catch those records.
        InternalLoggerFactory.setDefaultFactory(JdkLoggerFactory.INSTANCE);
        Logger codecLog = Logger.getLogger(RudpCodec.class.getName());
        codecLog.setLevel(Level.FINE);
        codecLog.setUseParentHandlers(false);
        codecLog.addHandler(new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (r.getThrown() != null) {
                    synchronized (INTERNAL_ERRORS) {
                        INTERNAL_ERRORS.add(r.getThrown());
                    }
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        });
    }

    /** Consumes whatever a connection delivers and remembers exceptions that reach it. */
    private static final class Sink extends ChannelInboundHandlerAdapter {
        final List<Throwable> errors = new ArrayList<>();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            errors.add(cause);
        }
    }

    private static ByteBuf initial(long clientId) {
        ByteBuf b = Unpooled.buffer(Handshake.MIN_DATAGRAM_SIZE);
        PacketHeader.encode(b, PacketType.INITIAL, clientId);
        Handshake.encodeInitial(b, new byte[0], new TransportParameters(30_000, 1400, 1 << 20, 1 << 20),
                Handshake.MIN_DATAGRAM_SIZE);
        return b;
    }

    @FuzzTest
    void datagrams(FuzzedDataProvider data) {
        Sink sink = new Sink();
        CodecSettings settings = new CodecSettings(true, 65_507, 30_000, 10_000, 5, 333, 1 << 20, 4 << 20, 1 << 20,
                CongestionControl.NEW_RENO, Delivery.ORDERED, 16, false, new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(sink);
                    }
                }, Map.of(), null, DTLS, false);
        RudpCodec codec = RudpCodec.create(settings);
        EmbeddedChannel ch = new EmbeddedChannel(codec);
        ch.freezeTime();
        synchronized (INTERNAL_ERRORS) {
            INTERNAL_ERRORS.clear();
        }
        try {
            ch.writeInbound(new DatagramPacket(initial(CLIENT_ID), SERVER, CLIENT));
            long serverId = acceptedId(ch);
            assertEquals(1, codec.connectionCount(), "the valid INITIAL did not open a connection");
            while (data.remainingBytes() > 0) {
                boolean stranger = data.consumeProbabilityFloat() < 0.1f;
                boolean aimed = data.consumeBoolean();
                byte[] bytes = data.consumeBytes(data.consumeInt(0, 1500));
                if (aimed && bytes.length >= PacketHeader.SIZE) {
                    ByteBuf b = Unpooled.wrappedBuffer(bytes);
                    b.setLong(2, serverId);
                }
                ch.writeInbound(new DatagramPacket(Unpooled.wrappedBuffer(bytes), SERVER, stranger ? STRANGER : CLIENT));
                ch.advanceTimeBy(data.consumeInt(0, 2_000), TimeUnit.MILLISECONDS);
                ch.runPendingTasks();
                ch.runScheduledPendingTasks();
                drain(ch);
                ch.checkException();
            }
            synchronized (INTERNAL_ERRORS) {
                if (!INTERNAL_ERRORS.isEmpty()) {
                    AssertionError e = new AssertionError("the codec hit an internal error on a datagram");
                    e.initCause(INTERNAL_ERRORS.get(0));
                    throw e;
                }
            }
            assertTrue(sink.errors.isEmpty(), () -> "an exception reached the connection's pipeline: " + sink.errors);
            assertTrue(codec.connectionCount() <= settings.maxConnections());
        } finally {
            ch.finishAndReleaseAll();
        }
    }

    private static long acceptedId(EmbeddedChannel ch) {
        DatagramPacket accept = ch.readOutbound();
        try {
            ByteBuf b = accept.content();
            assertEquals(PacketType.ACCEPT, PacketHeader.peekType(b));
            return b.getLong(b.readerIndex() + PacketHeader.SIZE);
        } finally {
            accept.release();
            drain(ch);
        }
    }

    private static void drain(EmbeddedChannel ch) {
        for (Object o = ch.readOutbound(); o != null; o = ch.readOutbound()) {
            ReferenceCountUtil.release(o);
        }
    }
}
