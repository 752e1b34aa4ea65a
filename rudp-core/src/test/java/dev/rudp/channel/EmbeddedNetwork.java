package dev.rudp.channel;

import dev.rudp.sim.Impairment;
import dev.rudp.sim.ImpairmentProfile;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Two codecs on {@link EmbeddedChannel}s joined by a simulated network: frozen clocks advanced in
 * step, datagrams moved between them with the impairment simulator's seeded decisions. The whole
 * stack (handshake, checksum, reliability, timers, child channels) runs deterministically in
 * virtual time, with no sockets and no threads.
 */
final class EmbeddedNetwork implements AutoCloseable {
    static final InetSocketAddress SERVER = new InetSocketAddress("127.0.0.1", 7777);
    static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 50000);

    private record InFlight(long due, long seq, boolean toServer, ByteBuf content) implements Comparable<InFlight> {
        @Override
        public int compareTo(InFlight o) {
            return due != o.due ? Long.compare(due, o.due) : Long.compare(seq, o.seq);
        }
    }

    final EmbeddedChannel server;
    final EmbeddedChannel client;
    private final Impairment toServer;
    private final Impairment toClient;
    private final PriorityQueue<InFlight> wire = new PriorityQueue<>();
    private long now;
    private long seq;
    private boolean cut;
    long delivered;

    EmbeddedNetwork(ChannelHandler serverCodec, ChannelHandler clientCodec, ImpairmentProfile profile) {
        server = new EmbeddedChannel(serverCodec);
        client = new EmbeddedChannel(clientCodec);
        server.freezeTime();
        client.freezeTime();
        toServer = new Impairment(profile);
        toClient = new Impairment(profile.toBuilder().seed(profile.seed() * 31 + 7).build());
    }

    long nowNanos() {
        return now;
    }

    /** From now on every datagram is lost, both ways. */
    void cutWire() {
        cut = true;
    }

    private void collect(EmbeddedChannel from, boolean toServerSide) {
        for (Object o = from.readOutbound(); o != null; o = from.readOutbound()) {
            DatagramPacket p = (DatagramPacket) o;
            ByteBuf content = p.content();
            Impairment.Decision d = (toServerSide ? toServer : toClient).decide(content.readableBytes(), now);
            if (cut) {
                d = Impairment.Decision.DROP;
            }
            if (d.corrupted() && content.isReadable()) {
                int bit = d.corruptBit() % (content.readableBytes() * 8);
                int index = content.readerIndex() + bit / 8;
                content.setByte(index, content.getByte(index) ^ (1 << (bit % 8)));
            }
            for (int copy = 0; copy < d.copies(); copy++) {
                ByteBuf c = copy == d.copies() - 1 ? content.retain() : content.copy();
                wire.add(new InFlight(now + d.delayNanos(copy), seq++, toServerSide, c));
            }
            p.release();
        }
    }

    /**
     * Runs the network until {@code done} holds, or fails after {@code maxNanos} of virtual time or
     * {@code maxSteps} steps (so a livelock cannot hang the build).
     */
    void runUntil(BooleanSupplier done, long maxNanos, int maxSteps, String what) {
        for (int step = 0; step < maxSteps; step++) {
            server.runPendingTasks();
            client.runPendingTasks();
            long nextServer = server.runScheduledPendingTasks();
            long nextClient = client.runScheduledPendingTasks();
            server.runPendingTasks(); // what the timers scheduled to run next (close events, ...)
            client.runPendingTasks();
            collect(server, false);
            collect(client, true);
            if (done.getAsBoolean()) {
                return;
            }
            long next = Long.MAX_VALUE;
            if (!wire.isEmpty()) {
                next = Math.max(0, wire.peek().due - now);
            }
            if (nextServer >= 0) {
                next = Math.min(next, nextServer);
            }
            if (nextClient >= 0) {
                next = Math.min(next, nextClient);
            }
            if (next == Long.MAX_VALUE) {
                throw new AssertionError(what + ": nothing left to happen at " + now / 1_000_000 + " ms");
            }
            if (next > 0) {
                server.advanceTimeBy(next, TimeUnit.NANOSECONDS);
                client.advanceTimeBy(next, TimeUnit.NANOSECONDS);
                now += next;
            }
            if (now > maxNanos) {
                throw new AssertionError(what + ": not done after " + now / 1_000_000 + " ms of virtual time");
            }
            while (!wire.isEmpty() && wire.peek().due <= now) {
                InFlight f = wire.poll();
                delivered++;
                if (f.toServer) {
                    server.writeInbound(new DatagramPacket(f.content, SERVER, CLIENT));
                } else {
                    client.writeInbound(new DatagramPacket(f.content, CLIENT, SERVER));
                }
            }
        }
        throw new AssertionError(what + ": not done after " + maxSteps + " steps");
    }

    @Override
    public void close() {
        for (InFlight f : wire) {
            f.content.release();
        }
        wire.clear();
        client.finishAndReleaseAll();
        server.finishAndReleaseAll();
    }
}
