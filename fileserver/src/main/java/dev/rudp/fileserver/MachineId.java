package dev.rudp.fileserver;

import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Gives Netty a random machine id before its first channel, unless the user set one. Netty derives
 * the id (used only in channel ids, which this project never relies on) from a hardware address,
 * and where there is none (a container or network namespace with only a loopback interface) it
 * prints a two-line {@code Failed to find a usable hardware address} warning on every start of a
 * client, and logs one on every server start. Random bytes are what it falls back to anyway.
 */
public final class MachineId {
    static final String PROPERTY = "io.netty.machineId";

    private MachineId() {
    }

    /** Call first in {@code main}, before any Netty channel exists. */
    public static void chooseIfUnset() {
        if (System.getProperty(PROPERTY) == null) {
            byte[] id = new byte[8];
            ThreadLocalRandom.current().nextBytes(id);
            id[0] |= 0x02; // locally administered, never a real vendor's address
            System.setProperty(PROPERTY, HexFormat.ofDelimiter(":").formatHex(id));
        }
    }
}
