/**
 * {@code scaleout}: what one server costs and what the nginx balancer in front of several adds.
 * {@link dev.rudp.bench.scaleout.ScaleOutRunner} moves files with {@code bin/fileclient}'s jar to a
 * {@code fileserver serve} process, directly and through {@code bin/balancer}, rounds interleaved,
 * and reports MB/s and CPU-seconds per GB of the server and of nginx from /proc.
 */
package dev.rudp.bench.scaleout;
