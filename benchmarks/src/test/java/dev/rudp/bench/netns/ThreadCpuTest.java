package dev.rudp.bench.netns;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ThreadCpuTest {
    @Test
    void parsesAStatLineWhoseNameHoldsBlanksAndParentheses() {
        String stat = "4242 (C2 CompilerThre) S 1 4200 4200 0 -1 4194368 10 0 0 0 250 30 0 0 20 0 40 0 100 0 0";
        assertArrayEquals(new long[] {ThreadCpu.Kind.JIT.ordinal(), 280, 30, 0}, ThreadCpu.parse(stat));
        String loop = "77 (multiThreadIoEv) R 1 70 70 0 -1 0 0 0 0 0 5 7 0 0 20 0 1 0 1 0 0";
        assertEquals(ThreadCpu.Kind.EVENT_LOOP.ordinal(), ThreadCpu.parse(loop)[0]);
        assertNull(ThreadCpu.parse("garbage"));
    }

    @Test
    void kindsFollowTheKernelNames() {
        assertEquals(ThreadCpu.Kind.GC_VM, ThreadCpu.Kind.of("GC Thread#0"));
        assertEquals(ThreadCpu.Kind.GC_VM, ThreadCpu.Kind.of("G1 Refine#0"));
        assertEquals(ThreadCpu.Kind.OTHER, ThreadCpu.Kind.of("main"));
        assertEquals(ThreadCpu.Kind.JIT, ThreadCpu.Kind.of("C1 CompilerThre"));
    }

    @Test
    void readsVoluntarySwitches() {
        assertEquals(1234, ThreadCpu.voluntarySwitches("Name:\tx\nvoluntary_ctxt_switches:\t1234\nnonvoluntary_ctxt_switches:\t5\n"));
        assertEquals(0, ThreadCpu.voluntarySwitches("Name:\tx\n"));
    }

    @Test
    void thisThreadsSnapshotsCountItsOwnWork() {
        ThreadCpu before = ThreadCpu.snapshot();
        double[] cpu = ThreadCpu.snapshot().since(before);
        assertEquals(ThreadCpu.Kind.values().length + 2, cpu.length);
        for (double c : cpu) {
            assertTrue(c >= 0, "no negative CPU time");
        }
        String line = ThreadCpu.report("sender", new double[] {1.0, 0.5, 0.1, 0.0, 0.4, 1000}, 100_000, 100_000, 10_000,
                1_000_000_000L);
        assertTrue(line.contains("event loop 10.00 us per data packet"), line);
        assertTrue(line.contains("0.01 wake-ups per data packet"), line);
        assertTrue(line.contains("(1.60 CPU-s/GB"), line);
    }
}
