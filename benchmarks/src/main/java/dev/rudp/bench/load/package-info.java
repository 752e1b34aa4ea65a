/**
 * Issue 16's load runs against a real {@code bin/fileserver serve} process: many concurrent sessions
 * through the impairment simulator ({@code load}), and a handshake flood beside idle connections and
 * running transfers ({@code flood}).
 */
package dev.rudp.bench.load;
