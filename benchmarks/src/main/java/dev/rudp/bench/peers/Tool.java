package dev.rudp.bench.peers;

/** One row kind of the runner: a tool in one configuration. */
interface Tool {
    /** The row's name. */
    String name();

    /** What it does: congestion control or not, cipher, whole-file verification or not. */
    String label();

    /** Why it cannot run here ({@link ToolRow#NOT_INSTALLED}, ...), or null when it can. */
    String missing();

    /** Moves {@code job.source()} once and reports the run; never throws for a failed transfer. */
    ToolRow run(Job job) throws InterruptedException;
}
