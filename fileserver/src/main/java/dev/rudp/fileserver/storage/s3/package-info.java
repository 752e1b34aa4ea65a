/**
 * Storage in an S3 bucket that any number of servers share ({@link dev.rudp.fileserver.storage.s3.S3Backend}):
 * users' files as objects under a key prefix, multipart uploads resumable from any server, ranged
 * downloads read ahead, and the AWS SDK client set up for non-AWS engines with one-line errors
 * ({@link dev.rudp.fileserver.storage.s3.S3ClientFactory}).
 */
package dev.rudp.fileserver.storage.s3;
