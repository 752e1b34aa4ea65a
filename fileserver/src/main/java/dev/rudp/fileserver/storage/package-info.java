/** Storage: per-account roots, path confinement, file operations and partial uploads. */
package dev.rudp.fileserver.storage;
