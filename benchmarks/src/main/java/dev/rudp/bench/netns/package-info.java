/** The namespace benchmark: rudp and kernel TCP between two network namespaces through kernel-made loss and rate limits. */
package dev.rudp.bench.netns;
