/**
 * S3 object stores: building the AWS SDK's async client with the settings non-AWS engines need, and
 * checking a bucket before a server relies on it (one clear line on failure).
 */
package dev.rudp.fileserver.storage.s3;
