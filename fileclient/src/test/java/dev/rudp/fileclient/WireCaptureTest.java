package dev.rudp.fileclient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rudp.fileclient.batch.BatchRunner;
import dev.rudp.fileclient.commands.ClientContext;
import dev.rudp.fileclient.commands.CommandTable;
import dev.rudp.fileclient.connection.ExitCode;
import dev.rudp.fileclient.connection.FileConnection;
import dev.rudp.fileclient.connection.ServerTrust;
import dev.rudp.fileclient.connection.TransferListener;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.AddressedEnvelope;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Nothing of a file or a password in the clear on the wire with DTLS; everything with --plaintext. */
@Timeout(60)
class WireCaptureTest {
    private static final String MARKER = "MARKER-of-the-file-7c1d2e9a-";
    private static final String PASSWORD = "secret-a";

    @TempDir
    Path tmp;

    /** Copies every datagram's payload, both ways, beneath the rudp codec. */
    @ChannelHandler.Sharable
    static final class Capture extends ChannelDuplexHandler {
        final List<byte[]> datagrams = new CopyOnWriteArrayList<>();

        private void record(Object msg) {
            Object content = msg instanceof AddressedEnvelope<?, ?> e ? e.content() : msg;
            if (content instanceof ByteBuf b) {
                datagrams.add(ByteBufUtil.getBytes(b, b.readerIndex(), b.readableBytes()));
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            record(msg);
            ctx.fireChannelRead(msg);
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            record(msg);
            ctx.write(msg, promise);
        }

        boolean contains(byte[] needle) {
            for (byte[] d : datagrams) {
                outer:
                for (int i = 0; i + needle.length <= d.length; i++) {
                    for (int j = 0; j < needle.length; j++) {
                        if (d[i + j] != needle[j]) {
                            continue outer;
                        }
                    }
                    return true;
                }
            }
            return false;
        }
    }

    private Capture uploadAndDownload(TestServer s, ServerTrust trust) throws Exception {
        Path f = Files.writeString(tmp.resolve("marked.txt"), MARKER.repeat(4000));
        Capture cap = new Capture();
        try (FileConnection c = FileConnection.connect("127.0.0.1", s.port(), 5_000, cap, trust)) {
            c.login("alice", PASSWORD.toCharArray());
            StringWriter err = new StringWriter();
            ClientContext ctx = new ClientContext(c, "alice", new PrintWriter(new StringWriter()),
                    new PrintWriter(err, true), () -> TransferListener.NONE, tmp);
            ExitCode code = new BatchRunner(new CommandTable(), ctx).run(
                    List.of("put " + f + " up.txt", "get up.txt back.txt").iterator());
            ctx.close();
            assertEquals(ExitCode.OK, code, err.toString());
        }
        assertEquals(MARKER.repeat(4000), Files.readString(s.home("alice").resolve("up.txt")));
        assertEquals(MARKER.repeat(4000), Files.readString(tmp.resolve("back.txt")));
        assertTrue(cap.datagrams.size() > 10, "captured " + cap.datagrams.size());
        return cap;
    }

    @Test
    void withDtlsNeitherTheFileNorThePasswordAppearsOnTheWire() throws Exception {
        try (TestServer s = TestServer.start(tmp.resolve("data"))) {
            Capture cap = uploadAndDownload(s, s.trust());
            assertFalse(cap.contains(MARKER.getBytes(StandardCharsets.UTF_8)), "file content in clear");
            assertFalse(cap.contains(PASSWORD.getBytes(StandardCharsets.UTF_8)), "password in clear");
            // and the capture did see the traffic: DTLS 1.2 application-data records (type 23, version FE FD)
            assertTrue(cap.contains(new byte[] {23, (byte) 0xFE, (byte) 0xFD}), "DTLS records captured");
        }
    }

    @Test
    void withPlaintextTheSameCaptureSeesBoth() throws Exception {
        try (TestServer s = TestServer.start(tmp.resolve("data"), cfg -> cfg.plaintext(true))) {
            Capture cap = uploadAndDownload(s, ServerTrust.plaintext());
            assertTrue(cap.contains(MARKER.getBytes(StandardCharsets.UTF_8)), "control: the capture sees the file");
            assertTrue(cap.contains(PASSWORD.getBytes(StandardCharsets.UTF_8)), "control: the capture sees the password");
        }
    }
}
