package dev.rudp.dtls;

/**
 * A {@link DtlsHandler}'s counters. Written only on the handler's event loop (hence plain increments of
 * volatile fields), read from any thread through {@link #snapshot(int)}.
 */
final class Counters {
    volatile long handshakesSucceeded;
    volatile long handshakesResumed;
    volatile long handshakesFailed;
    volatile long droppedGarbage;
    volatile long droppedTooLongFragment;
    volatile long droppedUnknownPeer;
    volatile long droppedReplayOrTampered;
    volatile long droppedQueueFull;

    DtlsStats snapshot(int sessionsOpen, long helloVerifyRequestsSent) {
        return new DtlsStats(handshakesSucceeded, handshakesResumed, handshakesFailed, helloVerifyRequestsSent, droppedGarbage,
                droppedTooLongFragment, droppedUnknownPeer, droppedReplayOrTampered, droppedQueueFull, sessionsOpen);
    }
}
