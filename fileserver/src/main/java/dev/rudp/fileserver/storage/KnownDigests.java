package dev.rudp.fileserver.storage;

/**
 * A file's digests as a backend recorded them (an extended attribute on a disk, a sidecar object in a
 * bucket): its SHA-256 and, when it was recorded with it, its CRC32C (else null); lower-case hex.
 */
public record KnownDigests(String sha256, String crc32c) {
}
