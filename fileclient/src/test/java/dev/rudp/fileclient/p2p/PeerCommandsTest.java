package dev.rudp.fileclient.p2p;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rudp.fileclient.commands.ClientContext;
import dev.rudp.fileclient.commands.CommandTable;
import dev.rudp.fileclient.connection.ExitCode;
import dev.rudp.fileclient.connection.FileConnection;
import dev.rudp.fileclient.connection.TransferListener;
import dev.rudp.fileserver.p2p.PeerInbox;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The interactive flow through the command table: accept-peers on, offers, accept, decline, off. */
@Timeout(90)
class PeerCommandsTest {
    @TempDir
    Path tmp;

    @Test
    void offersAreListedThenAcceptedOrDeclinedByNumber() throws Exception {
        Path a = Files.writeString(tmp.resolve("a.txt"), "first");
        Path b = Files.writeString(tmp.resolve("b.txt"), "second");
        Path inbox = tmp.resolve("inbox");
        CommandTable table = new CommandTable();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        try (PeerFixture s = PeerFixture.start(tmp.resolve("data"));
                FileConnection alice = s.login("alice", null);
                FileConnection bobConn = s.login("bob", null);
                PeerClient sender = new PeerClient(alice)) {
            ClientContext bob = new ClientContext(bobConn, "bob", new PrintWriter(out, true), new PrintWriter(err, true),
                    () -> TransferListener.NONE, tmp);
            LinkedBlockingQueue<String> notices = new LinkedBlockingQueue<>();
            bob.announceWith(notices::add);
            LinkedBlockingQueue<PeerInbox.Offer> offered = new LinkedBlockingQueue<>();
            bob.peers().watch(new PeerClient.Watcher() {
                @Override
                public void offered(PeerInbox.Offer offer) {
                    offered.add(offer);
                }
            });
            assertEquals(ExitCode.OK, table.execute(bob, "accept-peers on " + inbox), err.toString());
            assertTrue(out.toString().contains("accepting peer transfers into " + inbox + " at 127.0.0.1:"), out.toString());
            assertEquals(ExitCode.OK, table.execute(bob, "peers"));
            assertTrue(out.toString().contains("\nbob\n"), out.toString());

            CompletableFuture<Void> first = CompletableFuture.runAsync(() -> send(sender, a));
            assertEquals("a.txt", offered.poll(30, TimeUnit.SECONDS).name());
            assertEquals("offer 1 from alice: a.txt (5 bytes); accept 1 or decline 1", notices.poll(5, TimeUnit.SECONDS));
            assertEquals(ExitCode.OK, table.execute(bob, "offers"));
            assertTrue(out.toString().contains("1  alice  a.txt  5 bytes"), out.toString());
            assertEquals(ExitCode.OK, table.execute(bob, "accept 1"));
            first.get(30, TimeUnit.SECONDS);
            assertEquals("first", Files.readString(inbox.resolve("a.txt")));

            CompletableFuture<Void> second = CompletableFuture.runAsync(() -> send(sender, b));
            assertEquals("b.txt", offered.poll(30, TimeUnit.SECONDS).name());
            assertEquals(ExitCode.OK, table.execute(bob, "decline"));
            Throwable refused = second.handle((v, e) -> e).get(30, TimeUnit.SECONDS);
            assertTrue(String.valueOf(refused).contains("bob declined b.txt"), String.valueOf(refused));
            assertTrue(!Files.exists(inbox.resolve("b.txt")));

            assertEquals(ExitCode.NOT_FOUND, table.execute(bob, "accept 7"));
            assertTrue(err.toString().contains("accept: no pending offer 7"), err.toString());
            assertEquals(ExitCode.OK, table.execute(bob, "accept-peers off"));
            assertEquals(List.of(), alice.call(dev.rudp.fileserver.protocol.Op.PEERS, List.of()).lines());
            bob.close();
        }
    }

    private static void send(PeerClient sender, Path f) {
        try {
            sender.send("bob", List.of(f), false, () -> TransferListener.NONE,
                    new dev.rudp.fileclient.connection.CancelToken(), null, line -> { });
        } catch (dev.rudp.fileclient.connection.ClientException e) {
            throw new java.util.concurrent.CompletionException(e.getMessage(), e);
        }
    }
}
