package dev.rudp.fileserver.storage.s3;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * Where a server keeps everything in an object store: {@code s3://BUCKET[/PREFIX]}, as given to
 * {@code fileserver serve --store}. The prefix is a folder-like key prefix without leading or
 * trailing slashes ("" for the bucket's top); every key the server writes starts with it.
 *
 * @param bucket the bucket's name (S3's rules: 3-63 of a-z 0-9 . -, starting and ending with a letter or digit)
 * @param prefix the key prefix, "" or segments joined by {@code /}
 */
public record S3Location(String bucket, String prefix) {
    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9._-]{1,128}");

    /**
     * Parses {@code s3://BUCKET[/PREFIX]}.
     *
     * @throws IllegalArgumentException with a one-line reason
     */
    public static S3Location parse(String uri) {
        if (uri == null || !uri.startsWith("s3://")) {
            throw new IllegalArgumentException("--store must be s3://BUCKET[/PREFIX], not " + uri);
        }
        String rest = uri.substring(5);
        while (rest.endsWith("/")) {
            rest = rest.substring(0, rest.length() - 1);
        }
        int slash = rest.indexOf('/');
        String bucket = slash < 0 ? rest : rest.substring(0, slash);
        String prefix = slash < 0 ? "" : rest.substring(slash + 1);
        if (!BUCKET.matcher(bucket).matches() || bucket.contains("..")) {
            throw new IllegalArgumentException("not a bucket name: '" + bucket
                    + "' (3-63 of a-z 0-9 . -, starting and ending with a letter or digit)");
        }
        if (!prefix.isEmpty()) {
            for (String s : prefix.split("/", -1)) {
                if (!SEGMENT.matcher(s).matches() || s.equals(".") || s.equals("..")) {
                    throw new IllegalArgumentException("not a usable key prefix: '" + prefix
                            + "' (names of A-Z a-z 0-9 . _ - joined by /, no . or .. and no empty names)");
                }
            }
            if (prefix.getBytes(StandardCharsets.UTF_8).length > 256) {
                throw new IllegalArgumentException("key prefix longer than 256 bytes: " + prefix);
            }
        }
        return new S3Location(bucket, prefix);
    }

    /** The prefix followed by {@code /}, or "" when there is none: what every key starts with. */
    public String keyPrefix() {
        return prefix.isEmpty() ? "" : prefix + "/";
    }

    @Override
    public String toString() {
        return "s3://" + bucket + (prefix.isEmpty() ? "" : "/" + prefix);
    }
}
