package dev.ferry.core.upload;

/**
 * How a file write ended, for whoever opened it (the filesystem turns it into an event): committed,
 * with the object's size and the SHA-256 computed as the bytes passed through (null when S3 copied
 * them), or abandoned, with why; {@code rejected}: abandoned for its content (malware found, or
 * no scan could vouch for it), not for a failure of the transfer.
 */
public record UploadOutcome(boolean committed, long size, String sha256, String reason, boolean rejected) {

  static UploadOutcome committed(long size, String sha256) {
    return new UploadOutcome(true, size, sha256, null, false);
  }

  public static UploadOutcome abandoned(long size, String reason) {
    return new UploadOutcome(false, size, null, reason, false);
  }

  static UploadOutcome rejected(long size, String reason) {
    return new UploadOutcome(false, size, null, reason, true);
  }
}
