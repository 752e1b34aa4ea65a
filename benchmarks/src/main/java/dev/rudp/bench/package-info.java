/** Entry point of the benchmarks jar and the first rudp-vs-TCP loopback comparison; the micro-benchmarks live in the packages of the classes they measure. */
package dev.rudp.bench;
