/**
 * Peer-to-peer transfers between two logged-in clients: the receiving endpoint (DTLS, a fresh
 * self-signed certificate per run), offers, sending with a pinned fingerprint and a one-time ticket,
 * and the shell commands ({@code accept-peers}, {@code peers}, {@code send}, {@code offers},
 * {@code accept}, {@code decline}, {@code receive}).
 */
package dev.rudp.fileclient.p2p;
