package dev.ferry.core.upload;

/**
 * How a file write ended, for whoever opened it (the filesystem turns it into an event): committed,
 * with the object's size and the SHA-256 computed as the bytes passed through (null when S3 copied
 * them), or abandoned, with why.
 */
public record UploadOutcome(boolean committed, long size, String sha256, String reason) {

  static UploadOutcome committed(long size, String sha256) {
    return new UploadOutcome(true, size, sha256, null);
  }

  static UploadOutcome abandoned(long size, String reason) {
    return new UploadOutcome(false, size, null, reason);
  }
}
