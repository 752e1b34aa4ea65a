package dev.rudp.fileserver.storage;

/**
 * A file's digests as a backend recorded them (an extended attribute on a disk, a sidecar object in a
 * bucket): its SHA-256 and its CRC32C, lower-case hex. Either may be null (not recorded): older
 * records have no CRC32C, and an upload whose client needed no SHA-256 records the CRC32C alone.
 */
public record KnownDigests(String sha256, String crc32c) {
}
