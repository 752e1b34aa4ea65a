package dev.rudp.dtls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The pre-BouncyCastle guard: the 32 KiB bound on epoch-0 handshake fragments (CVE-2026-59646) and garbage. */
@Timeout(60)
class RecordGuardTest {
    /** An epoch-0 handshake record holding one fragment of a message declaring {@code declared} bytes. */
    static byte[] handshakeRecord(int msgType, int declared, int fragmentLength) {
        ByteBuf b = Unpooled.buffer();
        b.writeByte(RecordGuard.HANDSHAKE).writeShort(0xFEFD).writeShort(0).writeShort(0).writeInt(0)
                .writeShort(RecordGuard.HANDSHAKE_HEADER + fragmentLength);
        b.writeByte(msgType).writeMedium(declared).writeShort(0).writeMedium(0).writeMedium(fragmentLength)
                .writeZero(fragmentLength);
        byte[] out = new byte[b.readableBytes()];
        b.readBytes(out);
        b.release();
        return out;
    }

    private static RecordGuard.Verdict scan(RecordGuard guard, byte[] datagram) {
        ByteBuf b = Unpooled.wrappedBuffer(datagram);
        try {
            return guard.scan(b);
        } finally {
            b.release();
        }
    }

    @Test
    void clientHelloFragmentDeclaring16MiBIsRejected() {
        RecordGuard guard = new RecordGuard();
        assertEquals(RecordGuard.Verdict.TOO_LONG_FRAGMENT, scan(guard, handshakeRecord(1, 0xFFFFFF, 50)));
        assertEquals(RecordGuard.Verdict.TOO_LONG_FRAGMENT, scan(guard, handshakeRecord(11, 32 * 1024 + 1, 50)));
    }

    @Test
    void handshakeFragmentsUpTo32KiBPass() {
        RecordGuard guard = new RecordGuard();
        assertEquals(RecordGuard.Verdict.OK, scan(guard, handshakeRecord(1, 32 * 1024, 50)));
        assertTrue(guard.isClientHello());
        assertEquals(RecordGuard.Verdict.OK, scan(guard, handshakeRecord(11, 1200, 1200)));
        assertFalse(guard.isClientHello());
    }

    @Test
    void countsTheRecordsOfADatagram() {
        RecordGuard guard = new RecordGuard();
        byte[] one = handshakeRecord(11, 100, 100);
        assertEquals(RecordGuard.Verdict.OK, scan(guard, one));
        assertEquals(1, guard.records());
        byte[] two = new byte[2 * one.length];
        System.arraycopy(one, 0, two, 0, one.length);
        System.arraycopy(one, 0, two, one.length, one.length);
        assertEquals(RecordGuard.Verdict.OK, scan(guard, two));
        assertEquals(2, guard.records());
    }

    @Test
    void secondRecordIsCheckedToo() {
        byte[] ok = handshakeRecord(1, 100, 100);
        byte[] bad = handshakeRecord(1, 0xFFFFFF, 10);
        byte[] both = new byte[ok.length + bad.length];
        System.arraycopy(ok, 0, both, 0, ok.length);
        System.arraycopy(bad, 0, both, ok.length, bad.length);
        assertEquals(RecordGuard.Verdict.TOO_LONG_FRAGMENT, scan(new RecordGuard(), both));
    }

    @Test
    void nonDtlsAndTruncatedDatagramsAreGarbage() {
        RecordGuard guard = new RecordGuard();
        assertEquals(RecordGuard.Verdict.GARBAGE, scan(guard, "hello world, not DTLS".getBytes(StandardCharsets.UTF_8)));
        assertEquals(RecordGuard.Verdict.GARBAGE, scan(guard, new byte[0]));
        byte[] record = handshakeRecord(1, 100, 100);
        byte[] truncated = new byte[record.length - 1];
        System.arraycopy(record, 0, truncated, 0, truncated.length);
        assertEquals(RecordGuard.Verdict.GARBAGE, scan(guard, truncated));
    }

    @Test
    void countsApplicationRecords() {
        ByteBuf b = Unpooled.buffer();
        for (int i = 0; i < 3; i++) {
            b.writeByte(RecordGuard.APPLICATION_DATA).writeShort(0xFEFD).writeShort(1).writeShort(0).writeInt(i)
                    .writeShort(30).writeZero(30);
        }
        RecordGuard guard = new RecordGuard();
        try {
            assertEquals(RecordGuard.Verdict.OK, guard.scan(b));
        } finally {
            b.release();
        }
        assertEquals(3, guard.applicationRecords());
    }

    @Test
    void crafted16MiBClientHelloIsDroppedAndANormalHandshakeStillPasses() throws Exception {
        try (DtlsLoopback lo = DtlsLoopback.start(DtlsHandshakeTest.pskServer());
                DatagramSocket raw = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            byte[] evil = handshakeRecord(1, 0xFFFFFF, 200);
            raw.send(new java.net.DatagramPacket(evil, evil.length, lo.serverAddress()));
            DtlsLoopback.Client client = lo.client(DtlsConfig.clientPsk(DtlsHandshakeTest.PSK_ID, DtlsHandshakeTest.PSK).build());
            client.echo("after the attack".getBytes(StandardCharsets.UTF_8));
            DtlsStats stats = lo.serverDtls.stats();
            assertEquals(1, stats.droppedTooLongFragment(), stats.toString());
            assertEquals(1, stats.handshakesSucceeded(), stats.toString());
            client.close();
        }
    }
}
