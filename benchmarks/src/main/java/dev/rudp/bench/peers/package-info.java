/**
 * The real UDP file-transfer tools (uftp, sftp through kcptun, ngtcp2's HTTP/3, udpcast) beside sftp and
 * {@code bin/fileclient} as processes, on loopback and through the link emulator between two namespaces:
 * one class per tool, the runner ({@link dev.rudp.bench.peers.PeersRunner}), its table, raw results and plots.
 */
package dev.rudp.bench.peers;
