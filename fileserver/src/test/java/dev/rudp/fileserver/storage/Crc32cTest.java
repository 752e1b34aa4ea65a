package dev.rudp.fileserver.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/** The digest is the JDK's CRC32C, big-endian, whatever the buffers it is given. */
class Crc32cTest {
    @Test
    void theStandardCheckValue() {
        // RFC 3720's CRC32C of "123456789" (the usual check value of the Castagnoli polynomial)
        assertEquals("e3069283", HexFormat.of().formatHex(new Crc32c().digest("123456789".getBytes(
                StandardCharsets.US_ASCII))));
    }

    @Test
    void arraysHeapAndDirectBuffersGiveTheSameDigestAsCrc32c() {
        byte[] data = new byte[100_003];
        new Random(3).nextBytes(data);
        CRC32C plain = new CRC32C();
        plain.update(data);
        String expected = String.format("%08x", plain.getValue());

        MessageDigest md = new Crc32c();
        md.update(data[0]);
        md.update(data, 1, 50_000);
        ByteBuffer direct = ByteBuffer.allocateDirect(data.length);
        direct.put(data).flip().position(50_001).limit(80_000);
        md.update(direct);
        md.update(ByteBuffer.wrap(data, 80_000, data.length - 80_000));
        assertEquals(expected, HexFormat.of().formatHex(md.digest()));
        assertEquals(4, md.getDigestLength());
        // digest() resets, as every MessageDigest does
        assertEquals(expected, HexFormat.of().formatHex(md.digest(data)));
    }
    @Test
    void combiningTheCrcsOfTwoPiecesGivesTheCrcOfTheWhole() {
        byte[] data = new byte[3 << 20];
        new Random(4).nextBytes(data);
        for (int cut : new int[] {0, 1, 7, 64, 4095, 1 << 20, (3 << 20) - 1, 3 << 20}) {
            assertEquals(crc(data, 0, data.length), Crc32c.combine(crc(data, 0, cut), crc(data, cut, data.length - cut),
                    data.length - cut), "cut at " + cut);
        }
        // part by part, as an upload stored in parts is
        int whole = 0;
        for (int at = 0; at < data.length; at += 1 << 20) {
            whole = Crc32c.combine(whole, crc(data, at, 1 << 20), 1 << 20);
        }
        assertEquals(crc(data, 0, data.length), whole);
        assertThrows(IllegalArgumentException.class, () -> Crc32c.combine(0, 0, -1));
    }

    private static int crc(byte[] data, int from, int length) {
        CRC32C c = new CRC32C();
        c.update(data, from, length);
        return (int) c.getValue();
    }
}
