/** End-to-end benchmarks: the same bytes through rudp and through TCP in one run, reported as ratios. */
package dev.rudp.bench;
