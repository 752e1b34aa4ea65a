package dev.rudp.fileclient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rudp.fileclient.progress.ProgressDisplay;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressDisplayTest {
    private final AtomicLong now = new AtomicLong();
    private final StringWriter text = new StringWriter();

    @Test
    void plainLinesAtEveryTenthWithRateAndEta() {
        ProgressDisplay p = new ProgressDisplay(new PrintWriter(text, true), false, 80, now::get);
        p.started("a.bin", 0, 100L << 20);
        for (int i = 1; i <= 100; i++) {
            now.addAndGet(10_000_000L); // 10 ms per MiB: 100 MiB/s
            p.progress((long) i << 20, 100L << 20);
        }
        p.finished(true);
        String[] lines = text.toString().split("\n");
        assertEquals(11, lines.length, text.toString());
        assertTrue(lines[5].startsWith("a.bin 50.0MiB/100.0MiB  50% 100.0MiB/s ETA 00:00"), lines[5]);
        assertTrue(lines[10].contains("100%"), lines[10]);
    }

    @Test
    void barIsRedrawnInPlaceAndResumeIsAnnounced() {
        ProgressDisplay p = new ProgressDisplay(new PrintWriter(text, true), true, 80, now::get);
        p.started("b.bin", 50, 200);
        now.addAndGet(1_000_000_000L);
        p.progress(150, 200);
        p.finished(true);
        String out = text.toString();
        assertTrue(out.startsWith("resuming b.bin at 50B of 200B (25%)\n"), out);
        assertTrue(out.contains("\rb.bin [#"), out);
        assertTrue(out.contains(" 75% 100B/s ETA 00:00"), out);
        assertTrue(out.endsWith("\n"));
    }

    @Test
    void humanSizes() {
        assertEquals("512B", ProgressDisplay.human(512));
        assertEquals("1.5KiB", ProgressDisplay.human(1536));
        assertEquals("2.0GiB", ProgressDisplay.human(2L << 30));
    }
}
