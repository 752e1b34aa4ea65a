/**
 * The public API of rudp-core: codec builders for a Netty datagram channel, the per-connection
 * {@link dev.rudp.RudpChannel}, typed options, statistics and errors. Everything else is internal.
 */
package dev.rudp;
