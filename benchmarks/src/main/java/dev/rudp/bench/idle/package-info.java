/** The idle-connection memory benchmark: a rudp server alone in a small-heap child JVM, measured after full GCs. */
package dev.rudp.bench.idle;
