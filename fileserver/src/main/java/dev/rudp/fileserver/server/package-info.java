/** The server: configuration, the per-connection session handler, uploads and downloads. */
package dev.rudp.fileserver.server;
