package dev.rudp.bench.idle;

import dev.rudp.CongestionControl;
import dev.rudp.NativeTransport;
import dev.rudp.RudpChannel;
import dev.rudp.RudpChannelOption;
import dev.rudp.RudpServerCodecBuilder;
import dev.rudp.dtls.DtlsConfig;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.util.internal.PlatformDependent;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The measured side, run by {@link IdleRunner} in its own JVM (small {@code -Xmx}) so that its heap
 * holds nothing but a rudp server. Set up as the file service sets up its own (BBR, the file server's
 * write-buffer water marks, otherwise rudp's defaults; {@code --dtls}: DTLS 1.2 with a self-signed
 * certificate). Every connection echoes messages of up to {@value #ECHO_LIMIT} bytes and counts and
 * drops larger ones.
 *
 * <p>It talks to the runner over stdin/stdout, one line each way: first {@code port N} and
 * {@code fingerprint F} (DTLS), then per command line {@code heap} (full GCs, then
 * {@code heap USED COMMITTED DIRECT ACTIVE RECEIVED PEAK_HEAP PEAK_DIRECT}), {@code stats} (the same
 * without collecting first), {@code reset} (peaks
 * back to now; replies {@code ok}) or {@code quit}. Logs go to stderr.
 */
public final class IdleServer {
    static final int ECHO_LIMIT = 64;
    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

    private final AtomicInteger active = new AtomicInteger();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong peakHeap = new AtomicLong();
    private final AtomicLong peakDirect = new AtomicLong();

    private IdleServer() {
    }

    /** Counts connections and bytes; echoes small messages so the runner knows a connection is fully up. */
    @ChannelHandler.Sharable
    private final class Handler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            active.incrementAndGet();
            ctx.fireChannelActive();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            active.decrementAndGet();
            ctx.fireChannelInactive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf b = (ByteBuf) msg;
            received.addAndGet(b.readableBytes());
            if (b.readableBytes() <= ECHO_LIMIT) {
                ctx.writeAndFlush(b); // ownership passes to the write
            } else {
                b.release();
            }
        }
    }

    private void sample() {
        peakHeap.accumulateAndGet(MEMORY.getHeapMemoryUsage().getUsed(), Math::max);
        peakDirect.accumulateAndGet(PlatformDependent.usedDirectMemory(), Math::max);
    }

    /** Heap in use after full collections: repeated until it stops shrinking, at most five times. */
    private static long usedAfterGc() {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            long now = MEMORY.getHeapMemoryUsage().getUsed();
            if (now >= used - (64 << 10)) {
                return Math.min(used, now);
            }
            used = now;
        }
        return used;
    }

    public static void main(String[] args) throws Exception {
        boolean dtls = args.length > 0 && args[0].equals("--dtls");
        new IdleServer().serve(dtls);
    }

    private void serve(boolean dtls) throws Exception {
        EventLoopGroup group = NativeTransport.newEventLoopGroup(2);
        Thread sampler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                sample();
                try {
                    TimeUnit.MILLISECONDS.sleep(5); // a sampling period, not a wait for anything
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "heap-sampler");
        sampler.setDaemon(true);
        try {
            Handler handler = new Handler();
            RudpServerCodecBuilder b = new RudpServerCodecBuilder()
                    .option(RudpChannelOption.CONGESTION_CONTROL, CongestionControl.BBR)
                    .option(RudpChannelOption.MAX_CONNECTIONS, 100_000)
                    .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(1 << 20, 4 << 20))
                    .handler(new ChannelInitializer<RudpChannel>() {
                        @Override
                        protected void initChannel(RudpChannel ch) {
                            ch.pipeline().addLast(handler);
                        }
                    });
            String fingerprint = null;
            if (dtls) {
                DtlsConfig.KeyAndCertificate kc = DtlsConfig.selfSigned("rudp-idle");
                fingerprint = DtlsConfig.fingerprint(kc.certificate());
                b.dtls(DtlsConfig.serverCertificate(kc.privateKey(), kc.certificate()).build());
            }
            Channel ch = new Bootstrap().group(group).channel(NativeTransport.datagramChannelClass()).handler(b.build())
                    .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
            sampler.start();
            System.out.println("port " + ((InetSocketAddress) ch.localAddress()).getPort());
            if (fingerprint != null) {
                System.out.println("fingerprint " + fingerprint);
            }
            System.out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line; (line = in.readLine()) != null;) {
                switch (line.trim()) {
                    case "heap" -> {
                        long used = usedAfterGc();
                        System.out.printf(Locale.ROOT, "heap %d %d %d %d %d %d %d%n", used,
                                MEMORY.getHeapMemoryUsage().getCommitted(), PlatformDependent.usedDirectMemory(),
                                active.get(), received.get(), peakHeap.get(), peakDirect.get());
                    }
                    case "stats" -> System.out.printf(Locale.ROOT, "heap %d %d %d %d %d %d %d%n",
                            MEMORY.getHeapMemoryUsage().getUsed(), MEMORY.getHeapMemoryUsage().getCommitted(),
                            PlatformDependent.usedDirectMemory(), active.get(), received.get(), peakHeap.get(),
                            peakDirect.get());
                    case "reset" -> {
                        peakHeap.set(0);
                        peakDirect.set(0);
                        sample();
                        System.out.println("ok");
                    }
                    case "quit" -> {
                        ch.close().await(2, TimeUnit.SECONDS);
                        return;
                    }
                    default -> System.out.println("error unknown command " + line);
                }
                System.out.flush();
            }
        } finally {
            sampler.interrupt();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
        }
    }
}
