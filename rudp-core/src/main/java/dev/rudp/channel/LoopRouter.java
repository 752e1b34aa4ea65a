package dev.rudp.channel;

import dev.rudp.dtls.DtlsHandler;
import dev.rudp.wire.PacketHeader;
import dev.rudp.wire.PacketType;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.util.concurrent.Ticker;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * One server address served by several datagram sockets bound with SO_REUSEPORT, one per event loop,
 * each with its own codec. The kernel spreads datagrams over the sockets by a hash of the 4-tuple,
 * and that hash moves when a socket joins or leaves the set, so the sockets do not rely on it: each
 * socket's {@link RoutedSocket} asks this table which socket owns a datagram and hands it over when
 * it is another one.
 *
 * <h2>Contract</h2>
 * <ul>
 * <li><b>Owner of a datagram</b> ({@link #owner}): in plaintext mode a DATA packet belongs to the socket
 *     whose codec issued its destination connection ID, an INITIAL to the socket that already serves a
 *     connection from its sender (a repeated INITIAL whose ACCEPT was lost). Under DTLS the rudp header is
 *     encrypted, so every datagram belongs to the socket that holds the sender's DTLS session or serves
 *     a connection from it. No owner: the socket that received the datagram keeps it, so new connections
 *     (INITIAL, ClientHello) are owned by the socket the kernel chose.</li>
 * <li><b>Connection IDs</b> are reserved here before a server codec hands them out, so no two
 *     sockets issue the same ID, and removed when the connection ends.</li>
 * <li><b>Peer addresses</b> are claimed by the first socket that serves a connection (or, under DTLS, holds
 *     a session) for them; the claim counts that socket's connections and is dropped when the last
 *     ends (under DTLS: and the session is gone, checked every second). The table thus holds at most one
 *     entry per connection and one per DTLS session, never one per unanswered datagram.</li>
 * <li><b>Read slots</b>: a socket reads whole datagrams as large as any socket of the address
 *     announced to a peer (a datagram cut short on the wrong socket would be lost on the way to its
 *     owner); this only grows while the address is served.</li>
 * <li><b>Shared secrets</b>: address-validation cookies and stateless reset tokens are keyed alike on
 *     every socket, and cookie times count from one epoch, so a client whose RETRY round trip crosses
 *     sockets still validates, and any socket can reset a connection none of them knows.</li>
 * <li><b>Threads</b>: the maps are concurrent; each claim's count is touched only on its owner's event
 *     loop; a handed-over datagram is processed on the owner's event loop and released there (or by the
 *     sender when the owner's loop refuses the task).</li>
 * </ul>
 * Internal: {@code RudpServerCodecBuilder.bind} builds one per address.
 */
public final class LoopRouter {
    /** A peer address served by one socket, with the number of that socket's connections from it. */
    static final class PeerClaim {
        final RoutedSocket owner;
        /** Owner's event loop only. */
        int connections;

        PeerClaim(RoutedSocket owner) {
            this.owner = owner;
        }
    }

    private final CodecSettings settings;
    private final byte[] cookieKey = new byte[32];
    /** On the event loops' clock (Netty's system ticker), which the codecs read their time from. */
    private final long epochNanos = Ticker.systemTicker().nanoTime();
    final ConcurrentHashMap<Long, RoutedSocket> byId = new ConcurrentHashMap<>();
    final ConcurrentHashMap<InetSocketAddress, PeerClaim> byPeer = new ConcurrentHashMap<>();
    private final LongAdder rerouted = new LongAdder();
    final CopyOnWriteArrayList<RoutedSocket> sockets = new CopyOnWriteArrayList<>();
    /** The largest datagram a connection of any socket announced: every socket reads slots this large. */
    private final AtomicInteger slot = new AtomicInteger();

    /** A router for sockets serving with {@code settings} (a server's); a missing reset key is drawn here. */
    public LoopRouter(CodecSettings settings) {
        if (!settings.server()) {
            throw new IllegalArgumentException("only a server's sockets are routed");
        }
        SecureRandom random = new SecureRandom();
        random.nextBytes(cookieKey);
        byte[] resetKey = settings.resetKey();
        if (resetKey == null) {
            resetKey = new byte[32];
            random.nextBytes(resetKey);
        }
        this.settings = settings.withResetKey(resetKey);
    }

    /**
     * The pipeline of one more socket on this address: the router's reader first, then (under DTLS)
     * the DTLS handler, then a codec of its own.
     */
    public ChannelHandler newSocketHandler() {
        return new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                RoutedSocket socket = new RoutedSocket(LoopRouter.this);
                RudpCodec codec = RudpCodec.create(settings, socket);
                if (settings.dtls() == null) {
                    ch.pipeline().addLast(socket, codec);
                } else {
                    ch.pipeline().addLast(socket, DtlsHandler.server(settings.dtls()).wholeDatagrams(), codec);
                }
            }
        };
    }

    /** Datagrams that reached a socket other than their owner's and were handed over, since start. */
    public long rerouted() {
        return rerouted.sum();
    }

    void countRerouted() {
        rerouted.increment();
    }

    boolean dtls() {
        return settings.dtls() != null;
    }

    /** A cookie and reset-token keeper with the keys every socket of this address shares (one per codec). */
    Cookies newCookies() {
        return new Cookies(new SecureRandom(), settings.resetKey(), cookieKey);
    }

    /** The largest datagram announced on this address so far, 0 before the first connection. */
    int slot() {
        return slot.get();
    }

    /** A socket announced {@code limit}: every socket reads slots that large from now on. */
    void announced(int limit) {
        if (slot.getAndAccumulate(limit, Math::max) < limit) {
            for (RoutedSocket s : sockets) {
                s.raiseSlot(limit);
            }
        }
    }

    /** The time cookies count from, the same on every socket. */
    long epochNanos() {
        return epochNanos;
    }

    /**
     * The socket that owns a datagram with content {@code buf} from {@code sender}, or null when none
     * does yet (see the class contract). Does not move {@code buf}'s indices.
     */
    RoutedSocket owner(ByteBuf buf, InetSocketAddress sender) {
        if (settings.dtls() == null) {
            PacketType type = PacketHeader.peekType(buf);
            if (type == PacketType.DATA) {
                return byId.get(PacketHeader.peekDestinationId(buf));
            }
            if (type != PacketType.INITIAL) {
                return null; // garbage or a client's packet type: the receiving codec drops it
            }
        }
        PeerClaim claim = byPeer.get(sender);
        return claim == null ? null : claim.owner;
    }
}
