/** Batch mode: runs commands from a file, stdin or a -c string, stopping at the first failure. */
package dev.rudp.fileclient.batch;
