package dev.rudp.sim;

import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** The command line of {@link UdpRelay}: parsing separate from running, so both are testable. */
final class RelayCommand {
    static final int OK = 0;
    static final int CANNOT_START = 1;
    static final int USAGE = 2;

    static final String HELP = String.join(System.lineSeparator(),
            "Usage: UdpRelay --forward HOST:PORT [options]",
            "Relays UDP datagrams to HOST:PORT and the replies back, impairing both directions.",
            "  --listen HOST:PORT     where clients send (default 127.0.0.1:0: a free port, printed)",
            "  --forward HOST:PORT    the target (required)",
            "  --loss R               drop each datagram with probability R in [0, 1] (default 0)",
            "  --duplicate R          deliver a datagram twice with probability R (default 0)",
            "  --reorder R            hold a datagram back with probability R (default 0)",
            "  --reorder-delay MS     how long a reordered datagram is held back (default 10)",
            "  --delay MS             one-way delay, each direction (default 0)",
            "  --jitter MS            delay varies by up to this much either way (default 0)",
            "  --corrupt R            flip one bit of a datagram with probability R (default 0)",
            "  --rate-mbit N          bottleneck bandwidth per direction in Mbit/s (default unlimited)",
            "  --queue-bytes N        bottleneck queue (default 100 ms at the rate, at least 1500)",
            "  --seed N               seed of every random decision (default 0)",
            "  --seconds N            stop after N seconds (default: run until killed)",
            "  --help                 this text",
            "Exit codes: 0 done, 1 could not start, 2 bad arguments.",
            "");

    private static final long DEFAULT_REORDER_DELAY_MILLIS = 10;
    private static final int MIN_QUEUE_BYTES = 1500;
    private static final Set<String> OPTIONS = Set.of("--listen", "--forward", "--loss", "--duplicate", "--reorder",
            "--reorder-delay", "--delay", "--jitter", "--corrupt", "--rate-mbit", "--queue-bytes", "--seed",
            "--seconds");

    /** Parsed arguments; {@code seconds} 0 means run until killed. */
    record Options(InetSocketAddress listen, InetSocketAddress forward, ImpairmentProfile profile, long seconds) {
    }

    private RelayCommand() {
    }

    /** Runs the relay as {@code args} say; returns the exit code. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
            out.print(HELP);
            return OK;
        }
        Options options;
        try {
            options = parse(args);
        } catch (IllegalArgumentException e) {
            err.println("UdpRelay: " + e.getMessage() + " (see --help)");
            return USAGE;
        }
        UdpRelay relay;
        try {
            relay = UdpRelay.start(options.listen(), options.forward(), options.profile());
        } catch (RuntimeException e) {
            err.println("UdpRelay: " + e.getMessage());
            return CANNOT_START;
        }
        Thread hook = new Thread(relay::close, "udp-relay-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        out.println("listening on " + format(relay.address()) + ", forwarding to " + format(options.forward())
                + ", " + options.profile());
        out.flush();
        try {
            if (options.seconds() > 0) {
                relay.closeFuture().await(options.seconds(), TimeUnit.SECONDS);
            } else {
                relay.closeFuture().await();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        relay.close();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // The JVM is already shutting down, and the hook has closed the relay.
        }
        out.println("stopped: " + relay.stats());
        return OK;
    }

    /**
     * Parses the arguments ({@code --help} aside).
     *
     * @throws IllegalArgumentException with a one-line message naming the bad argument
     */
    static Options parse(String[] args) {
        InetSocketAddress listen = null;
        InetSocketAddress forward = null;
        ImpairmentProfile.Builder profile = ImpairmentProfile.builder();
        double reorderRate = 0;
        long reorderDelay = DEFAULT_REORDER_DELAY_MILLIS;
        double rateMbit = 0;
        int queueBytes = -1;
        long seconds = 0;
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (!OPTIONS.contains(option)) {
                throw new IllegalArgumentException(option.startsWith("--") ? "unknown option " + option
                        : "unexpected argument '" + option + "'");
            }
            if (i + 1 == args.length) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            String value = args[++i];
            try {
                switch (option) {
                    case "--listen":
                        listen = address(value, 0);
                        break;
                    case "--forward":
                        forward = address(value, 1);
                        break;
                    case "--loss":
                        profile.loss(number(value));
                        break;
                    case "--duplicate":
                        profile.duplicate(number(value));
                        break;
                    case "--reorder":
                        reorderRate = number(value);
                        break;
                    case "--reorder-delay":
                        reorderDelay = integer(value, 0);
                        break;
                    case "--delay":
                        profile.delay(integer(value, 0));
                        break;
                    case "--jitter":
                        profile.jitter(integer(value, 0));
                        break;
                    case "--corrupt":
                        profile.corrupt(number(value));
                        break;
                    case "--rate-mbit":
                        rateMbit = number(value);
                        if (!(rateMbit > 0)) {
                            throw new IllegalArgumentException("must be more than 0, got " + value);
                        }
                        break;
                    case "--queue-bytes":
                        queueBytes = (int) Math.min(Integer.MAX_VALUE, integer(value, 0));
                        break;
                    case "--seed":
                        profile.seed(integer(value, Long.MIN_VALUE));
                        break;
                    case "--seconds":
                        seconds = integer(value, 1);
                        break;
                    default:
                        throw new IllegalStateException("option without a case: " + option);
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(option + ": " + e.getMessage(), e);
            }
        }
        if (forward == null) {
            throw new IllegalArgumentException("--forward HOST:PORT is required");
        }
        try {
            profile.reorder(reorderRate, reorderDelay);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--reorder-delay: " + e.getMessage(), e);
        }
        if (rateMbit > 0) {
            long bytesPerSecond = Math.max(1, Math.round(rateMbit * 1e6 / 8));
            int queue = queueBytes >= 0 ? queueBytes
                    : (int) Math.min(Integer.MAX_VALUE, Math.max(MIN_QUEUE_BYTES, bytesPerSecond / 10));
            try {
                profile.rateLimit(bytesPerSecond, queue);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--rate-mbit: " + e.getMessage(), e);
            }
        } else if (queueBytes >= 0) {
            throw new IllegalArgumentException("--queue-bytes needs --rate-mbit");
        }
        return new Options(listen != null ? listen : new InetSocketAddress("127.0.0.1", 0), forward,
                profile.build(), seconds);
    }

    private static double number(String value) {
        try {
            return Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected a number, got '" + value + "'");
        }
    }

    private static long integer(String value, long min) {
        long n;
        try {
            n = Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected a whole number, got '" + value + "'");
        }
        if (n < min) {
            throw new IllegalArgumentException("must be at least " + min + ", got " + n);
        }
        return n;
    }

    /** HOST:PORT, with an IPv6 host optionally in brackets; resolves the host. */
    private static InetSocketAddress address(String value, int minPort) {
        int colon = value.lastIndexOf(':');
        if (colon <= 0 || colon == value.length() - 1) {
            throw new IllegalArgumentException("expected HOST:PORT, got '" + value + "'");
        }
        String host = value.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        long port = integer(value.substring(colon + 1), minPort);
        if (port > 65_535) {
            throw new IllegalArgumentException("port must be at most 65535, got " + port);
        }
        InetSocketAddress address = new InetSocketAddress(host, (int) port);
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("cannot resolve host '" + host + "'");
        }
        return address;
    }

    private static String format(InetSocketAddress a) {
        String host = a.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }
}
