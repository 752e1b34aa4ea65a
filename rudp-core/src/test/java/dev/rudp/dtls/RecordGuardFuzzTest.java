package dev.rudp.dtls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzz target for the DTLS layer's first look at a datagram ({@link RecordGuard}), which runs on every
 * datagram from anyone before BouncyCastle sees it. Properties: no exception, nothing consumed, the
 * verdict and counts agree with each other, and the scan composes: two datagrams that are each a
 * sequence of whole records are one when joined, with the counts added.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RecordGuardFuzzTest {

    private record Scan(RecordGuard.Verdict verdict, int records, int application, boolean hello) {
    }

    private static Scan scan(byte[] bytes) {
        RecordGuard g = new RecordGuard();
        ByteBuf b = Unpooled.wrappedBuffer(bytes);
        RecordGuard.Verdict v = g.scan(b);
        assertEquals(0, b.readerIndex(), "scan consumed bytes");
        Scan s = new Scan(v, g.records(), g.applicationRecords(), g.isClientHello());
        if (v == RecordGuard.Verdict.OK) {
            assertTrue(s.records >= 1 && s.application <= s.records, s.toString());
            assertTrue(!s.hello || (bytes[0] == RecordGuard.HANDSHAKE && bytes[3] == 0 && bytes[4] == 0), s.toString());
        }
        if (bytes.length < RecordGuard.RECORD_HEADER) {
            assertEquals(RecordGuard.Verdict.GARBAGE, v);
        }
        return s;
    }

    @FuzzTest
    void scan(FuzzedDataProvider data) {
        byte[] a = data.consumeBytes(data.consumeInt(0, 4096));
        byte[] b = data.consumeRemainingAsBytes();
        Scan sa = scan(a);
        Scan sb = scan(b);
        assertEquals(sa, scan(a), "not deterministic");
        byte[] joined = new byte[a.length + b.length];
        System.arraycopy(a, 0, joined, 0, a.length);
        System.arraycopy(b, 0, joined, a.length, b.length);
        Scan sj = scan(joined);
        if (sa.verdict == RecordGuard.Verdict.OK && sb.verdict == RecordGuard.Verdict.OK) {
            assertEquals(RecordGuard.Verdict.OK, sj.verdict);
            assertEquals(sa.records + sb.records, sj.records);
            assertEquals(sa.application + sb.application, sj.application);
            assertEquals(sa.hello, sj.hello);
        }
        if (sa.verdict == RecordGuard.Verdict.OK && sb.verdict == RecordGuard.Verdict.TOO_LONG_FRAGMENT) {
            assertEquals(RecordGuard.Verdict.TOO_LONG_FRAGMENT, sj.verdict);
        }
    }
}
