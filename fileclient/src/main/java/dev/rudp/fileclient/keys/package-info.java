/** The user's Ed25519 key pair (files, keygen) and logging in with it first, as ssh does. */
package dev.rudp.fileclient.keys;
