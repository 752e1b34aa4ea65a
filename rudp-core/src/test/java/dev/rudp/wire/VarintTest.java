package dev.rudp.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class VarintTest {

    /** RFC 9000 appendix A.1 examples. */
    @ParameterizedTest
    @CsvSource({
        "25, 37",
        "7bbd, 15293",
        "9d7f3e7d, 494878333",
        "c2197c5eff14e88c, 151288809941952652",
    })
    void rfc9000Examples(String hex, long value) {
        assertEquals(hex, Bytes.encode(out -> Varint.write(out, value)));
        assertEquals(hex.length() / 2, Varint.size(value));
        ByteBuf in = Bytes.hex(hex);
        try {
            assertEquals(value, Varint.read(in));
            assertFalse(in.isReadable());
        } finally {
            in.release();
        }
    }

    @Test
    void nonMinimalEncodingIsAccepted() {
        // RFC 9000 A.1: "the two-byte sequence 0x4025 decodes to 37".
        ByteBuf in = Bytes.hex("4025");
        try {
            assertEquals(37, Varint.read(in));
        } finally {
            in.release();
        }
    }

    @ParameterizedTest
    @CsvSource({
        "0, 1", "63, 1", "64, 2", "16383, 2", "16384, 4", "1073741823, 4", "1073741824, 8",
        "4611686018427387903, 8",
    })
    void sizeBoundaries(long value, int size) {
        assertEquals(size, Varint.size(value));
        ByteBuf out = Unpooled.buffer();
        try {
            Varint.write(out, value);
            assertEquals(size, out.readableBytes());
            assertEquals(value, Varint.read(out));
        } finally {
            out.release();
        }
    }

    @Test
    void outOfRangeValuesAreRefusedWhenEncoding() {
        assertThrows(IllegalArgumentException.class, () -> Varint.size(-1));
        assertThrows(IllegalArgumentException.class, () -> Varint.size(Varint.MAX + 1));
        ByteBuf out = Unpooled.buffer();
        try {
            assertThrows(IllegalArgumentException.class, () -> Varint.write(out, Long.MIN_VALUE));
            assertEquals(0, out.readableBytes());
        } finally {
            out.release();
        }
    }

    @Test
    void randomValuesRoundTrip() {
        Random random = new Random(42);
        ByteBuf out = Unpooled.buffer();
        try {
            long[] values = new long[10_000];
            for (int i = 0; i < values.length; i++) {
                int bits = random.nextInt(63);
                values[i] = bits == 0 ? 0 : (random.nextLong() >>> (64 - bits)) & Varint.MAX;
                Varint.write(out, values[i]);
            }
            for (long v : values) {
                assertEquals(v, Varint.read(out));
            }
            assertEquals(Varint.INVALID, Varint.read(out));
        } finally {
            out.release();
        }
    }

    @Test
    void everyTruncationIsInvalid() {
        for (String hex : new String[] {"7bbd", "9d7f3e7d", "c2197c5eff14e88c"}) {
            ByteBuf full = Bytes.hex(hex);
            try {
                for (int n = 0; n < full.readableBytes(); n++) {
                    ByteBuf prefix = full.slice(0, n);
                    assertEquals(Varint.INVALID, Varint.read(prefix), hex + " cut to " + n);
                }
            } finally {
                full.release();
            }
        }
    }

    @Test
    void garbageNeverThrowsAndStaysInRange() {
        Random random = new Random(7);
        for (int i = 0; i < 20_000; i++) {
            byte[] b = new byte[random.nextInt(10)];
            random.nextBytes(b);
            ByteBuf in = Unpooled.wrappedBuffer(b);
            try {
                long v = Varint.read(in);
                assertEquals(true, v == Varint.INVALID || (v >= 0 && v <= Varint.MAX), "value " + v);
            } finally {
                in.release();
            }
        }
    }
}
