package dev.rudp.example;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.rudp.NativeTransport;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The README's examples keep working. */
class ExamplesTest {
    @Test
    void echoClientGetsItsLineBack() throws Exception {
        EventLoopGroup group = NativeTransport.newEventLoopGroup(1);
        try {
            Channel server = EchoServer.start(group, 0);
            int port = ((InetSocketAddress) server.localAddress()).getPort();
            assertEquals("hello, rudp", EchoClient.echo(group, new InetSocketAddress("127.0.0.1", port), "hello, rudp"));
            server.close().sync();
        } finally {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).sync();
        }
    }
}
