/** Accounts: scrypt password hashes in a file, and login lockout and rate limiting. */
package dev.rudp.fileserver.auth;
