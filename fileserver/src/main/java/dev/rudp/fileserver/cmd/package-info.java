/** The {@code cmd} interpreter: file commands written in Java, confined to the account's root; never a shell. */
package dev.rudp.fileserver.cmd;
