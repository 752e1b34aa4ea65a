/** The data folder on this machine as a storage backend: users' files, partial uploads and records as files. */
package dev.rudp.fileserver.storage.local;
