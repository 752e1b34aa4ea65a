/**
 * Storage: the contract every backend implements (one account's {@link dev.rudp.fileserver.storage.Store},
 * the server's {@link dev.rudp.fileserver.storage.StoreBackend}, uploads, downloads, records), the client
 * path rules, and the chunk helpers that the server's and the client's transfers share.
 */
package dev.rudp.fileserver.storage;
