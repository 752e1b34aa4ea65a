package dev.rudp.dtls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rudp.wire.WireReader;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link GcmRecords} against BouncyCastle itself, record by record: the same bytes both ways, forged and
 * replayed records dropped, and one sequence number space shared with BouncyCastle without a repeat.
 * The server end of a {@link MemoryDtls} pair takes over its records; its peer stays on BouncyCastle.
 */
@Timeout(60)
class GcmRecordsTest {
    private static final int[] SIZES = {0, 1, 1200, 1435, 9000, GcmRecords.MAX_PLAINTEXT};

    @Test
    void ourRecordsOpenInBouncyCastle() throws Exception {
        MemoryDtls m = MemoryDtls.handshake();
        GcmRecords gcm = start(m);
        Random random = new Random(1);
        for (int size : SIZES) {
            byte[] plaintext = new byte[size];
            random.nextBytes(plaintext);
            byte[] record = seal(gcm, plaintext);
            assertEquals(GcmRecords.BODY + size + GcmRecords.TAG, record.length);
            byte[] opened = m.client.deliver(record);
            assertNotNull(opened, "BouncyCastle dropped our record of " + size + " bytes");
            assertArrayEquals(plaintext, opened, "size " + size);
        }
    }

    @Test
    void aPlaintextInSeveralBuffersSealsAsOne() throws Exception {
        MemoryDtls m = MemoryDtls.handshake();
        GcmRecords gcm = start(m);
        Random random = new Random(3);
        byte[] plaintext = new byte[9001];
        random.nextBytes(plaintext);
        io.netty.buffer.CompositeByteBuf parts = Unpooled.compositeBuffer();
        parts.addComponent(true, Unpooled.directBuffer(13).writeBytes(plaintext, 0, 13));
        parts.addComponent(true, Unpooled.wrappedBuffer(plaintext, 13, 4000));
        parts.addComponent(true, Unpooled.directBuffer(4988).writeBytes(plaintext, 4013, 4988));
        ByteBuf out = Unpooled.directBuffer(GcmRecords.BODY + plaintext.length + GcmRecords.TAG);
        try {
            gcm.seal(RecordGuard.APPLICATION_DATA, parts, out);
            assertArrayEquals(plaintext, m.client.deliver(ByteBufUtil.getBytes(out)));
        } finally {
            parts.release();
            out.release();
        }
    }

    @Test
    void bouncyCastlesRecordsOpenHere() throws Exception {
        MemoryDtls m = MemoryDtls.handshake();
        GcmRecords gcm = start(m);
        Random random = new Random(2);
        for (int size : SIZES) {
            byte[] plaintext = new byte[size];
            random.nextBytes(plaintext);
            // BouncyCastle refuses offset 0 of an empty array, hence the spare byte
            m.client.dtls.send(java.util.Arrays.copyOf(plaintext, size + 1), 0, size);
            ByteBuf datagram = direct(last(m.client.sent));
            try {
                ByteBuf opened = gcm.open(WireReader.of(datagram), 0);
                assertNotNull(opened, "size " + size);
                assertArrayEquals(plaintext, ByteBufUtil.getBytes(opened), "size " + size);
            } finally {
                datagram.release();
            }
        }
    }

    @Test
    void recordsOpenFromAnArrayAtAnOffsetAsTheHandlerReadsThem() throws Exception {
        MemoryDtls m = MemoryDtls.handshake();
        GcmRecords gcm = start(m);
        byte[] plaintext = new byte[1400];
        new Random(3).nextBytes(plaintext);
        m.client.dtls.send(java.util.Arrays.copyOf(plaintext, plaintext.length + 1), 0, plaintext.length);
        byte[] record = last(m.client.sent);
        byte[] padded = new byte[record.length + 20];
        System.arraycopy(record, 0, padded, 11, record.length);
        ByteBuf datagram = Unpooled.wrappedBuffer(padded).slice(11, record.length);
        ByteBuf opened = gcm.open(WireReader.of(datagram), 0);
        assertNotNull(opened);
        assertArrayEquals(plaintext, ByteBufUtil.getBytes(opened));
        assertArrayEquals(record, java.util.Arrays.copyOfRange(padded, 11, 11 + record.length),
                "the datagram is left as it was");
        assertNull(gcm.open(WireReader.of(datagram), 0), "replay");
    }

    @Test
    void forgedRecordsAreDroppedAndTheOriginalStillOpens() throws Exception {
        MemoryDtls m = MemoryDtls.handshake();
        GcmRecords gcm = start(m);
        m.client.dtls.send(new byte[100], 0, 100);
        byte[] record = last(m.client.sent);
        int[][] forgeries = {
            {record.length - 1, 0x01}, // tag
            {GcmRecords.BODY + 5, 0x80}, // ciphertext
            {GcmRecords.HEADER + 2, 0x01}, // explicit nonce
            {4, 0x03}, // epoch 1 -> 2: authenticated, so it cannot pass as epoch 1
            {10, 0x01}, // sequence number
            {2, 0x01}, // version
        };
        for (int[] f : forgeries) {
            byte[] forged = record.clone();
            forged[f[0]] ^= (byte) f[1];
            assertEquals(-1, openCopy(gcm, forged), "byte " + f[0] + " altered");
        }
        byte[] shortened = record.clone();
        shortened[12] -= 1; // length one less: the tag no longer where it says
        assertEquals(-1, openCopy(gcm, java.util.Arrays.copyOf(shortened, shortened.length - 1)));
        assertEquals(100, openCopy(gcm, record), "forgeries moved the replay window");
        assertEquals(-1, openCopy(gcm, record), "replay");
    }

    @Test
    void replayWindowEdges() throws Exception {
        MemoryDtls m = MemoryDtls.handshake();
        GcmRecords gcm = start(m);
        List<byte[]> records = new ArrayList<>();
        for (int i = 0; i <= ReplayWindow.SIZE + 1; i++) {
            m.client.dtls.send(new byte[] {(byte) i}, 0, 1);
            records.add(last(m.client.sent));
        }
        int top = records.size() - 1;
        assertEquals(1, openCopy(gcm, records.get(top)));
        assertEquals(-1, openCopy(gcm, records.get(top)), "the same record again");
        assertEquals(1, openCopy(gcm, records.get(top - (ReplayWindow.SIZE - 1))), "lowest inside the window");
        assertEquals(-1, openCopy(gcm, records.get(top - ReplayWindow.SIZE)), "just below the window");
        assertEquals(-1, openCopy(gcm, records.get(top - (ReplayWindow.SIZE - 1))), "inside, seen");
        assertEquals(1, openCopy(gcm, records.get(top - 1)), "inside, not seen");
    }

    @Test
    void sequenceNumbersContinueBouncyCastlesAndNeverRepeat() throws Exception {
        MemoryDtls m = MemoryDtls.handshake();
        long highestByBouncyCastle = m.serverHandover.highestSent();
        GcmRecords gcm = start(m);
        assertTrue(highestByBouncyCastle >= 0, "BouncyCastle sealed its Finished in epoch 1");
        assertEquals(highestByBouncyCastle + 1, gcm.nextSequence());
        List<byte[]> wire = new ArrayList<>(m.server.all); // the handshake's records
        for (int i = 0; i < 5; i++) {
            wire.add(seal(gcm, new byte[] {(byte) i}));
        }
        // BouncyCastle seals its close_notify with its own counter, which the JDK path has overtaken:
        // that record must leave sealed again with the JDK path's next number.
        m.server.dtls.close();
        byte[] bouncyCastles = last(m.server.sent);
        ByteBuf resealed = gcm.reseal(ByteBufAllocator.DEFAULT, bouncyCastles, 0, bouncyCastles.length);
        assertNotNull(resealed);
        byte[] closeNotify = ByteBufUtil.getBytes(resealed);
        resealed.release();
        wire.add(closeNotify);
        assertEquals(RecordGuard.ALERT, closeNotify[0]);
        long last = -1;
        int epochOne = 0;
        for (byte[] d : wire) {
            if (((d[3] & 0xFF) << 8 | d[4] & 0xFF) != GcmRecords.EPOCH) {
                continue;
            }
            long sequence = Unpooled.wrappedBuffer(d).getLong(3) & GcmRecords.MAX_SEQUENCE;
            assertTrue(sequence > last, "epoch-1 sequence " + sequence + " after " + last);
            last = sequence;
            epochOne++;
        }
        assertEquals(1 + 5 + 1, epochOne, "Finished, five records, close_notify");
        assertNull(m.client.deliver(closeNotify));
        assertTrue(m.client.closed, "the peer accepted the re-sealed close_notify");
    }

    @Test
    void keysThatDoNotOpenBouncyCastlesRecordsAreRefused() throws Exception {
        MemoryDtls m = MemoryDtls.handshake();
        Handover forged = new Handover();
        for (byte[] d : m.server.all) {
            byte[] copy = d.clone();
            copy[copy.length - 1] ^= 1; // BouncyCastle's Finished, as if sealed under other keys
            forged.sent(copy, 0, copy.length);
        }
        for (byte[] d : m.client.all) {
            forged.received(d);
        }
        assertNull(GcmRecords.start(m.serverKeys, forged));
        assertNull(GcmRecords.start(null, m.serverHandover), "no keys: stays on BouncyCastle");
    }

    private static GcmRecords start(MemoryDtls m) {
        assertNotNull(m.serverKeys, "AES-GCM suite: keys derived");
        GcmRecords gcm = GcmRecords.start(m.serverKeys, m.serverHandover);
        assertNotNull(gcm, "the keys open BouncyCastle's Finished records");
        return gcm;
    }

    private static byte[] seal(GcmRecords gcm, byte[] plaintext) throws Exception {
        ByteBuf in = Unpooled.directBuffer(plaintext.length).writeBytes(plaintext);
        ByteBuf out = Unpooled.directBuffer(GcmRecords.BODY + plaintext.length + GcmRecords.TAG);
        try {
            gcm.seal(RecordGuard.APPLICATION_DATA, in, out);
            assertEquals(plaintext.length, in.readableBytes(), "the plaintext is not consumed");
            return ByteBufUtil.getBytes(out);
        } finally {
            in.release();
            out.release();
        }
    }

    private static int openCopy(GcmRecords gcm, byte[] record) {
        ByteBuf b = direct(record);
        try {
            ByteBuf opened = gcm.open(WireReader.of(b), 0);
            return opened == null ? -1 : opened.readableBytes();
        } finally {
            b.release();
        }
    }

    private static ByteBuf direct(byte[] bytes) {
        return Unpooled.directBuffer(bytes.length).writeBytes(bytes);
    }

    private static byte[] last(List<byte[]> datagrams) {
        return datagrams.get(datagrams.size() - 1);
    }
}
