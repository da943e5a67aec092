package dev.ferry.jobs.transfer;

/**
 * DIRECT: the remote fetches the object from S3 itself (presigned URL, curl), so no byte passes
 * through Ferry. RELAY: Ferry reads from S3 and writes with SFTP, for remotes that cannot reach S3.
 */
public enum TransferMode {
  DIRECT, RELAY
}
