package dev.rudp.fileserver.auth;

/**
 * One account.
 *
 * @param name the login name ([A-Za-z0-9._-], 1..32 characters)
 * @param admin whether the account may run admin commands (shutdown)
 * @param hash the stored scrypt hash
 */
public record Account(String name, boolean admin, String hash) {
    /** Whether {@code name} is an acceptable account name. */
    public static boolean validName(String name) {
        return name != null && name.matches("[A-Za-z0-9._-]{1,32}") && !name.startsWith(".");
    }
}
