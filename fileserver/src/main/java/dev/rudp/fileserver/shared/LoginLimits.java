package dev.rudp.fileserver.shared;

import dev.rudp.fileserver.auth.LoginGuard;

/**
 * Login lockout and the per-account rate window, as {@link LoginGuard} defines them: consecutive
 * failures per (account, source address) lock the pair, each account takes a bounded number of
 * attempts per sliding minute, a success resets the pair and gives its place in the minute back.
 * May block briefly (a shared store is asked): call it off the event loop. Never throws for an
 * unreachable store; an implementation falls back to this server's own counts instead.
 */
public interface LoginLimits {
    /** Checks (and counts) an attempt by {@code user} from {@code address}. */
    LoginGuard.Verdict check(String user, String address);

    /** Records a failed attempt; returns the lock duration (ns) when this failure locked the pair, else 0. */
    long failure(String user, String address);

    /** Records a success: the pair's count starts again and the attempt leaves the account's rate window. */
    void success(String user, String address);

    /** Today's behaviour: {@link LoginGuard} in this server's memory. */
    static LoginLimits local(LoginGuard guard) {
        return new LoginLimits() {
            @Override
            public LoginGuard.Verdict check(String user, String address) {
                return guard.check(user, address);
            }

            @Override
            public long failure(String user, String address) {
                return guard.failure(user, address);
            }

            @Override
            public void success(String user, String address) {
                guard.success(user, address);
            }
        };
    }
}
