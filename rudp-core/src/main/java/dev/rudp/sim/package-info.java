/**
 * A seeded network impairment simulator (loss, duplication, reordering, delay, jitter, corruption,
 * bandwidth bottleneck) as a pure decision engine, a Netty handler and a standalone UDP relay, so
 * that applications can be tested under a bad network that repeats itself for the same seed.
 */
package dev.rudp.sim;
