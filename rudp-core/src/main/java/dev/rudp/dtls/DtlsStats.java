package dev.rudp.dtls;

/**
 * A snapshot of one {@link DtlsHandler}'s counters since it was created ({@link DtlsHandler#stats()}).
 *
 * @param handshakesSucceeded handshakes that completed
 * @param handshakesResumed of those, the ones that resumed an earlier session (the abbreviated handshake)
 * @param handshakesFailed handshakes that failed or timed out (each one fired a failed
 *        {@link DtlsHandshakeCompletionEvent})
 * @param helloVerifyRequestsSent stateless HelloVerifyRequests a server sent (ClientHellos without a valid cookie)
 * @param droppedGarbage datagrams that were not DTLS records and were dropped before BouncyCastle saw them
 * @param droppedTooLongFragment datagrams dropped because an epoch-0 handshake fragment declared a message
 *        longer than 32 KiB (the bctls 1.84 reassembly-allocation guard, CVE-2026-59646)
 * @param droppedUnknownPeer datagrams from an address without a session that could not start one
 * @param droppedReplayOrTampered application records that BouncyCastle discarded: replayed, too old for the
 *        64-record replay window, or failing authentication
 * @param droppedQueueFull datagrams dropped because a bounded queue was full: a handshaking peer's inbox
 *        (256 datagrams) or the plaintext waiting for a client handshake (64 datagrams), or a ClientHello
 *        refused because {@link DtlsConfig#maxConcurrentHandshakes()} handshakes were running
 * @param sessionsOpen sessions currently handshaking or established
 */
public record DtlsStats(long handshakesSucceeded, long handshakesResumed, long handshakesFailed, long helloVerifyRequestsSent,
        long droppedGarbage, long droppedTooLongFragment, long droppedUnknownPeer, long droppedReplayOrTampered,
        long droppedQueueFull, int sessionsOpen) {
}
