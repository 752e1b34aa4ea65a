/**
 * Netty glue, internal: the codec on the datagram channel (handshake, demultiplexing by
 * connection ID, timers, batching of sends) and the child channel of each connection.
 */
package dev.rudp.channel;
