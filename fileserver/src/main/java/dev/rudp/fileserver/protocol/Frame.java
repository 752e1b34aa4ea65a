package dev.rudp.fileserver.protocol;

/**
 * A message of the file protocol: {@link Request}, {@link Reply} or {@link Data}. Every frame
 * starts with the protocol version (u8), its type (u8) and a 64-bit id (request id, or transfer id
 * for data). Multi-byte integers are big-endian.
 */
public sealed interface Frame permits Request, Reply, Data {
    /** The version written in every frame; a peer speaking another version is refused. */
    int VERSION = 1;

    /** The request id this frame belongs to (for data: the id of the GET or PUT request). */
    long id();
}
