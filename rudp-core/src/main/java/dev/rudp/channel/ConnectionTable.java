package dev.rudp.channel;

import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One codec's connections: by our own connection ID (every datagram's destination), and on a server
 * by the client's ID too (so a repeated INITIAL gets its ACCEPT again); new IDs; and what the codec
 * asks of all of them at once. Event loop only.
 */
final class ConnectionTable {
    /**
     * The routing table of the sockets sharing this codec's address ({@link LoopRouter}): told of every
     * connection ID before it is issued and of every server connection added and removed.
     */
    interface Routes {
        /** Reserves {@code id} for this socket; false if another socket of the address has it. */
        boolean reserve(long id);

        /** A server connection was added (its ID reserved before). */
        void opened(Connection c);

        /** A connection was removed. */
        void closed(Connection c);
    }

    private final SecureRandom random = new SecureRandom();
    /** Null with a single socket: then nothing is routed. */
    private final Routes routes;
    private final Map<Long, Connection> byLocalId = new HashMap<>();
    private final Map<Long, Connection> byClientId = new HashMap<>();

    ConnectionTable(Routes routes) {
        this.routes = routes;
    }

    /** The connection with our ID {@code localId}, or null. */
    Connection get(long localId) {
        return byLocalId.get(localId);
    }

    /** Server: the connection a client opened with its ID {@code clientId}, or null. */
    Connection byClient(long clientId) {
        return byClientId.get(clientId);
    }

    void add(Connection c) {
        byLocalId.put(c.localId, c);
    }

    /** Server: adds {@code c}, opened by the client whose ID is {@code clientId}. */
    void add(Connection c, long clientId) {
        add(c);
        byClientId.put(clientId, c);
        if (routes != null) {
            routes.opened(c);
        }
    }

    void remove(Connection c) {
        byLocalId.remove(c.localId);
        byClientId.remove(c.peerId, c);
        if (routes != null) {
            routes.closed(c);
        }
    }

    int size() {
        return byLocalId.size();
    }

    /** A copy, for loops that may remove connections. */
    List<Connection> snapshot() {
        return new ArrayList<>(byLocalId.values());
    }

    /** Client: the connections still handshaking with {@code peer} (a copy: the caller may remove them). */
    List<Connection> handshaking(InetSocketAddress peer) {
        List<Connection> found = new ArrayList<>();
        for (Connection c : byLocalId.values()) {
            if (c.phase == Connection.Phase.HANDSHAKING && c.remote.equals(peer)) {
                found.add(c);
            }
        }
        return found;
    }

    /** Client: {@code peer} answered during the handshake; the connect deadlines of its connections move on. */
    void heardDuringHandshake(InetSocketAddress peer, long nowNanos) {
        for (Connection c : byLocalId.values()) {
            if (c.phase == Connection.Phase.HANDSHAKING && c.remote.equals(peer)) {
                c.deadline.heard(nowNanos);
            }
        }
    }

    /** A fresh, non-zero ID no connection of this codec (nor of the other sockets on its address) has. */
    long newId() {
        long id;
        do {
            id = random.nextLong();
        } while (id == 0 || byLocalId.containsKey(id) || routes != null && !routes.reserve(id));
        return id;
    }

    /** The smallest min RTT of the established connections, 0 if there are none or one has no sample yet. */
    long smallestMinRtt() {
        long smallest = Long.MAX_VALUE;
        for (Connection c : byLocalId.values()) {
            if (c.phase == Connection.Phase.ESTABLISHED && c.engine != null) {
                long rtt = c.engine.minRttNanos();
                if (rtt == 0) {
                    return 0;
                }
                smallest = Math.min(smallest, rtt);
            }
        }
        return smallest == Long.MAX_VALUE ? 0 : smallest;
    }

    /** Sizes {@code buffers} for the windows the connections have grown to. */
    void reviewBuffers(SocketBuffers buffers, long now) {
        long receive = 0;
        long send = 0;
        for (Connection c : byLocalId.values()) {
            if (c.engine != null) {
                receive += c.engine.receiveWindow();
                send += c.engine.congestionWindow();
            }
        }
        buffers.review(receive, send, now);
    }
}
