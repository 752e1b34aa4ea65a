package dev.rudp.fileserver.protocol;

/**
 * One directory entry as listed by LS and STAT.
 *
 * @param name the name (for STAT: the path as given)
 * @param type 'f' file, 'd' folder, 'l' symbolic link, 'o' other
 * @param size size in bytes
 * @param mtimeMillis last modification, milliseconds since the epoch
 * @param mode POSIX permission bits (0 when unknown)
 */
public record FileEntry(String name, char type, long size, long mtimeMillis, int mode) {

    /** Whether this is a folder. */
    public boolean isDirectory() {
        return type == 'd';
    }
}
