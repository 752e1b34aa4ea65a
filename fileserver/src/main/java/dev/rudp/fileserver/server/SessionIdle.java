package dev.rudp.fileserver.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;

/**
 * Closes a logged-in session that has been idle for {@link ServerConfig#sessionIdleMillis}: netty-handler's
 * {@link IdleStateHandler} at the head of the session's pipeline, watching both directions and the
 * progress of queued writes, so a download the client is slow to take is activity too. When it fires,
 * the session is asked whether work is under way that moves no byte for a while (a long server-side
 * copy, a login being checked); if so the handler looks again one period later.
 *
 * <p>Not the transport's idle timeout, which ends connections whose peer went silent (a crashed or
 * unplugged client): the transport's keepalive keeps an abandoned but running client's connection
 * alive forever, and only the file protocol can tell that nothing is asked of it.
 */
final class SessionIdle extends IdleStateHandler {
    private final Session session;
    private final long minutes;

    SessionIdle(Session session, long idleMillis) {
        super(true, 0, 0, idleMillis, TimeUnit.MILLISECONDS);
        this.session = session;
        this.minutes = Math.max(1, Math.round(idleMillis / 60_000.0));
    }

    @Override
    protected void channelIdle(ChannelHandlerContext ctx, IdleStateEvent evt) {
        if (evt.state() == IdleState.ALL_IDLE) {
            session.closeIfIdle(minutes);
        }
    }
}
