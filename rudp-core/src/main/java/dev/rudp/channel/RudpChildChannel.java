package dev.rudp.channel;

import dev.rudp.Delivery;
import dev.rudp.RudpChannel;
import dev.rudp.RudpErrorCode;
import dev.rudp.RudpException;
import dev.rudp.RudpMessage;
import dev.rudp.RudpStats;
import io.netty.buffer.ByteBuf;
import io.netty.channel.AbstractChannel;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelMetadata;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayDeque;

/**
 * A connection as a Netty channel. It shares the datagram channel's event loop, so the engine,
 * the codec and this channel never need locks. Inbound messages are queued while the application
 * does not read ({@code AUTO_READ} off); their flow-control credit returns only when they reach
 * the pipeline, so a slow reader slows the sender instead of filling memory.
 */
final class RudpChildChannel extends AbstractChannel implements RudpChannel {
    private static final ChannelMetadata METADATA = new ChannelMetadata(false, 16);
    /** User-defined writability bit driven by the engine's unsent bytes. */
    private static final int WRITABILITY_BIT = 1;

    private final Connection connection;
    private final RudpChildChannelConfig config;
    private final ArrayDeque<ByteBuf> inbound = new ArrayDeque<>();
    /** Kept because Netty detaches it from the unsafe before doClose, when we still need to drain it. */
    private final ChannelOutboundBuffer outbound;
    private boolean open = true;
    private boolean readRequested;
    private boolean readCompletePending;
    private volatile RudpErrorCode closeCode;
    private volatile RudpStats lastStats;

    RudpChildChannel(io.netty.channel.Channel parent, Connection connection, CodecSettings settings) {
        super(parent);
        this.connection = connection;
        this.config = new RudpChildChannelConfig(this, settings);
        this.outbound = unsafe().outboundBuffer();
    }

    // ---- called by the codec, on the event loop ----

    void onMessage(ByteBuf message) {
        if (!open) {
            connection.engine.onConsumed(message.readableBytes());
            message.release();
            return;
        }
        inbound.add(message);
        if (config.isAutoRead() || readRequested) {
            drainInbound();
        }
    }

    private void drainInbound() {
        boolean auto = config.isAutoRead();
        int budget = auto ? Integer.MAX_VALUE : config.getMaxMessagesPerRead();
        boolean consumed = false;
        while (!inbound.isEmpty() && budget-- > 0 && open) {
            ByteBuf m = inbound.poll();
            connection.engine.onConsumed(m.readableBytes());
            consumed = true;
            readCompletePending = true;
            pipeline().fireChannelRead(m);
            if (auto && !config.isAutoRead()) {
                // A handler turned reading off (backpressure, a traffic shaper): the rest waits, and so
                // does the credit for it, until reading is turned on again.
                break;
            }
        }
        if (consumed) {
            // Credit returned: a sender stalled on it hears so now, not with our next ACK or keepalive.
            connection.codec.requestFlush(connection);
        }
        if (!config.isAutoRead() && readCompletePending) {
            readRequested = false;
            fireReadComplete();
        }
    }

    /** End of a read batch on the datagram channel. */
    void fireReadComplete() {
        if (readCompletePending && open) {
            readCompletePending = false;
            pipeline().fireChannelReadComplete();
        }
    }

    /** The transport ended the connection (peer close, timeout, reset). */
    void closeFromTransport(RudpErrorCode code) {
        if (closeCode == null) {
            closeCode = code;
        }
        if (isOpen()) {
            unsafe().close(unsafe().voidPromise());
        }
    }

    void updateWritability() {
        ChannelOutboundBuffer buf = unsafe().outboundBuffer();
        if (buf == null || connection.engine == null) {
            return;
        }
        long unsent = connection.engine.unsentBytes();
        if (unsent > config.getWriteBufferHighWaterMark()) {
            buf.setUserDefinedWritability(WRITABILITY_BIT, false);
        } else if (unsent < config.getWriteBufferLowWaterMark()) {
            buf.setUserDefinedWritability(WRITABILITY_BIT, true);
        }
    }

    // ---- RudpChannel ----

    @Override
    public RudpStats stats() {
        if (connection.engine != null && eventLoop().inEventLoop()) {
            lastStats = connection.stats();
            return lastStats;
        }
        if (connection.engine != null && isRegistered() && !eventLoop().isShuttingDown()) {
            try {
                return eventLoop().submit(() -> connection.stats()).get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (java.util.concurrent.ExecutionException e) {
                // fall through to the last snapshot
            }
        }
        return lastStats;
    }

    @Override
    public RudpErrorCode closeCode() {
        return closeCode;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return connection.remote;
    }

    @Override
    public InetSocketAddress localAddress() {
        java.net.SocketAddress local = parent().localAddress();
        return local instanceof InetSocketAddress ? (InetSocketAddress) local : null;
    }

    // ---- Channel ----

    @Override
    public ChannelConfig config() {
        return config;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public boolean isActive() {
        return open;
    }

    @Override
    public ChannelMetadata metadata() {
        return METADATA;
    }

    @Override
    protected AbstractUnsafe newUnsafe() {
        return new AbstractUnsafe() {
            @Override
            public void connect(SocketAddress remote, SocketAddress local, ChannelPromise promise) {
                promise.setFailure(new UnsupportedOperationException("a rudp connection is already connected"));
            }
        };
    }

    @Override
    protected boolean isCompatible(EventLoop loop) {
        return loop == parent().eventLoop();
    }

    @Override
    protected SocketAddress localAddress0() {
        return parent().localAddress();
    }

    @Override
    protected SocketAddress remoteAddress0() {
        return connection.remote;
    }

    @Override
    protected void doBind(SocketAddress localAddress) {
        throw new UnsupportedOperationException("a rudp connection is bound through its datagram channel");
    }

    @Override
    protected void doDisconnect() {
        doClose();
    }

    @Override
    protected void doClose() {
        if (!open) {
            return;
        }
        // Messages flushed but not yet taken (close() called from a write listener or a
        // writability event) still belong to the "already written" that a graceful close delivers.
        takeFlushed(outbound);
        open = false;
        if (connection.engine != null) {
            lastStats = connection.stats();
        }
        while (!inbound.isEmpty()) {
            ByteBuf m = inbound.poll();
            connection.engine.onConsumed(m.readableBytes());
            m.release();
        }
        connection.codec.onChildClosed(connection);
    }

    @Override
    protected void doBeginRead() {
        readRequested = true;
        if (!inbound.isEmpty()) {
            drainInbound();
        }
    }

    @Override
    protected Object filterOutboundMessage(Object msg) {
        if (msg instanceof ByteBuf || msg instanceof RudpMessage) {
            return msg;
        }
        throw new UnsupportedOperationException("rudp channels write ByteBuf or RudpMessage, not "
                + msg.getClass().getName());
    }

    @Override
    protected void doWrite(ChannelOutboundBuffer in) {
        takeFlushed(in);
        connection.codec.requestFlush(connection);
        updateWritability();
    }

    private void takeFlushed(ChannelOutboundBuffer in) {
        for (Object msg = in.current(); msg != null; msg = in.current()) {
            ByteBuf data;
            Delivery delivery;
            if (msg instanceof RudpMessage) {
                data = ((RudpMessage) msg).content();
                delivery = ((RudpMessage) msg).delivery();
            } else {
                data = (ByteBuf) msg;
                delivery = config.delivery();
            }
            try {
                // The engine takes its own reference; remove() releases the outbound buffer's one.
                connection.engine.send(ReferenceCountUtil.retain(data), delivery == Delivery.ORDERED);
                // Before remove(): it may fire a writability event whose handler writes again at
                // once, and that handler must already see the engine's backlog.
                updateWritability();
                in.remove();
            } catch (RudpException e) {
                in.remove(e);
            }
        }
    }
}
