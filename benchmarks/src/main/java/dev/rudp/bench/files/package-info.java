/** File transfers disk to disk on loopback: the file service (fileclient put/get) against sftp and a plain TCP copy with fsync. */
package dev.rudp.bench.files;
