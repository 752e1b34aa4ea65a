package dev.rudp.fileclient;

import io.netty.util.internal.logging.AbstractInternalLogger;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import io.netty.util.internal.logging.JdkLoggerFactory;

/**
 * Where the client's Netty and rudp-core log lines go: warnings and errors as one line on standard
 * error ({@code fileclient: warning: ...}, the agent's log once a JVM is the agent), the rest dropped.
 * Not java.util.logging: its start (a JVM's first logger, the LogManager and the JDK's logger-backend
 * detection) takes 0.03-0.04 s, and a new client's main thread waited for it in Netty's epoll set-up
 * while BouncyCastle's first use started it on the key's thread (wall-clock profile). With
 * {@code -Djava.util.logging.config.file=F} the client logs through java.util.logging as configured
 * there instead (debugging: {@code dev.rudp.trace} and Netty's debug lines).
 */
final class StderrLogging extends InternalLoggerFactory {
    private StderrLogging() {
    }

    /** The factory for this JVM: java.util.logging when a configuration file is given, else this one. */
    static InternalLoggerFactory choose() {
        return System.getProperty("java.util.logging.config.file") != null ? JdkLoggerFactory.INSTANCE
                : new StderrLogging();
    }

    @Override
    protected InternalLogger newInstance(String name) {
        return new Logger(name);
    }

    /** {@code {}} placeholders filled in order, as SLF4J's; a Throwable last argument printed after it. */
    static String format(String pattern, Object... args) {
        StringBuilder b = new StringBuilder();
        int from = 0;
        int used = 0;
        int at;
        while (used < args.length && (at = pattern.indexOf("{}", from)) >= 0) {
            b.append(pattern, from, at).append(args[used++]);
            from = at + 2;
        }
        b.append(pattern, from, pattern.length());
        if (used < args.length && args[args.length - 1] instanceof Throwable t) {
            b.append(": ").append(t);
        }
        return b.toString();
    }

    private static final class Logger extends AbstractInternalLogger {
        private static final long serialVersionUID = 1L;

        Logger(String name) {
            super(name);
        }

        private static void print(String level, String message) {
            System.err.println("fileclient: " + level + ": " + message);
        }

        @Override
        public boolean isTraceEnabled() {
            return false;
        }

        @Override
        public void trace(String msg) {
        }

        @Override
        public void trace(String format, Object arg) {
        }

        @Override
        public void trace(String format, Object argA, Object argB) {
        }

        @Override
        public void trace(String format, Object... arguments) {
        }

        @Override
        public void trace(String msg, Throwable t) {
        }

        @Override
        public boolean isDebugEnabled() {
            return false;
        }

        @Override
        public void debug(String msg) {
        }

        @Override
        public void debug(String format, Object arg) {
        }

        @Override
        public void debug(String format, Object argA, Object argB) {
        }

        @Override
        public void debug(String format, Object... arguments) {
        }

        @Override
        public void debug(String msg, Throwable t) {
        }

        @Override
        public boolean isInfoEnabled() {
            return false;
        }

        @Override
        public void info(String msg) {
        }

        @Override
        public void info(String format, Object arg) {
        }

        @Override
        public void info(String format, Object argA, Object argB) {
        }

        @Override
        public void info(String format, Object... arguments) {
        }

        @Override
        public void info(String msg, Throwable t) {
        }

        @Override
        public boolean isWarnEnabled() {
            return true;
        }

        @Override
        public void warn(String msg) {
            print("warning", msg);
        }

        @Override
        public void warn(String format, Object arg) {
            print("warning", format(format, arg));
        }

        @Override
        public void warn(String format, Object... arguments) {
            print("warning", format(format, arguments));
        }

        @Override
        public void warn(String format, Object argA, Object argB) {
            print("warning", format(format, argA, argB));
        }

        @Override
        public void warn(String msg, Throwable t) {
            print("warning", msg + ": " + t);
        }

        @Override
        public boolean isErrorEnabled() {
            return true;
        }

        @Override
        public void error(String msg) {
            print("error", msg);
        }

        @Override
        public void error(String format, Object arg) {
            print("error", format(format, arg));
        }

        @Override
        public void error(String format, Object argA, Object argB) {
            print("error", format(format, argA, argB));
        }

        @Override
        public void error(String format, Object... arguments) {
            print("error", format(format, arguments));
        }

        @Override
        public void error(String msg, Throwable t) {
            print("error", msg + ": " + t);
        }
    }
}
