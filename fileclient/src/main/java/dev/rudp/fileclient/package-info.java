/** The client's command-line entry point: connects, logs in, then runs the shell or a batch. */
package dev.rudp.fileclient;
