package dev.rudp.bench.peers;

import java.nio.file.Path;

/**
 * One transfer to make: the file, where things go and the two ends. Data flows from the server end
 * (namespace B) to the client end (namespace A) unless a tool's row says put.
 *
 * @param profile {@code loopback} or the link profile's name
 * @param dir an empty folder for this transfer (logs, landed file, configuration)
 * @param keys the folder of keys ({@link Keys})
 * @param source the file to move
 * @param sha256 its SHA-256, hex
 * @param bytes its size
 * @param timeoutMillis limit of the transfer
 * @param server the sending end
 * @param client the receiving end
 */
record Job(String profile, Path dir, Path keys, Path source, String sha256, long bytes, long timeoutMillis, Side server,
        Side client) {
}
