/**
 * The reliability engine, free of I/O: packet numbers, acknowledgement ranges, RTT estimation,
 * loss detection and probe timeouts (RFC 9002), congestion control and pacing, flow control,
 * fragmentation and reassembly. Time is always passed in as {@code nowNanos}, so everything here
 * is driven by a manual clock in tests. Only Netty's {@code ByteBuf} is used from Netty.
 */
package dev.rudp.reliability;
