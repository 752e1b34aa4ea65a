/** The end-to-end runner: the same bytes through rudp, rudp over DTLS, TCP and QUIC, under simulated networks. */
package dev.rudp.bench.e2e;
