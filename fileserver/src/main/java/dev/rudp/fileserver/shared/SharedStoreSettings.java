package dev.rudp.fileserver.shared;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * Where the servers' shared Redis is: {@code redis://[:PASSWORD@]HOST:PORT}, the password from the
 * URL or given apart (so it need not appear in a command line), and the namespace of every key,
 * {@code rudp:PREFIX:}, so several services can share one Redis. {@link #toString} never shows the
 * password.
 */
public final class SharedStoreSettings {
    /** The default key prefix: keys are {@code rudp:main:...}. */
    public static final String DEFAULT_PREFIX = "main";

    private final String host;
    private final int port;
    private final String password;
    private final String prefix;

    private SharedStoreSettings(String host, int port, String password, String prefix) {
        this.host = host;
        this.port = port;
        this.password = password;
        this.prefix = prefix;
    }

    /**
     * Parses {@code url}; {@code password} (may be null) is used when the URL carries none.
     *
     * @throws IllegalArgumentException with a one-line reason (never quoting a password)
     */
    public static SharedStoreSettings parse(String url, String password, String prefix) {
        URI u;
        try {
            u = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("--shared: not a URL (expected redis://[:PASSWORD@]HOST:PORT)");
        }
        if (!"redis".equals(u.getScheme()) || u.getHost() == null || u.getPort() < 1
                || !(u.getRawPath() == null || u.getRawPath().isEmpty() || u.getRawPath().equals("/"))
                || u.getRawQuery() != null || u.getRawFragment() != null) {
            throw new IllegalArgumentException("--shared: expected redis://[:PASSWORD@]HOST:PORT, got "
                    + redact(url));
        }
        String secret = password;
        String info = u.getUserInfo();
        if (info != null) {
            int colon = info.indexOf(':');
            if (colon != 0) {
                throw new IllegalArgumentException("--shared: only a password may precede the host"
                        + " (redis://:PASSWORD@HOST:PORT)");
            }
            secret = info.substring(1);
        }
        if (prefix == null || !prefix.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException("--shared-prefix: 1 to 64 letters, digits, '.', '_' or '-'");
        }
        return new SharedStoreSettings(u.getHost(), u.getPort(), secret == null || secret.isEmpty() ? null : secret,
                prefix);
    }

    /** The URL with any password removed, for messages. */
    static String redact(String url) {
        return url.replaceAll("//[^@/]*@", "//***@");
    }

    /** Redis's host. */
    public String host() {
        return host;
    }

    /** Redis's port. */
    public int port() {
        return port;
    }

    /** The password, or null for none. */
    String password() {
        return password;
    }

    /** {@code rudp:PREFIX:}, the start of every key. */
    public String keyPrefix() {
        return "rudp:" + prefix + ":";
    }

    @Override
    public String toString() {
        return "redis://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
