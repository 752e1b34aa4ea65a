/**
 * Peer-to-peer transfers: the server's introduction service ({@link PeerDirectory}: who accepts
 * peers, one-time tickets) and the receiving side of a peer link ({@link PeerInbox}), which lands
 * files with the server's own upload logic.
 */
package dev.rudp.fileserver.p2p;
