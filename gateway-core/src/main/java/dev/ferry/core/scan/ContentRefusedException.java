package dev.ferry.core.scan;

import java.io.IOException;

/**
 * An upload refused for what is in it: clamd found malware ({@link #signature()} names it), or no
 * scan could vouch for it and {@code scan.onUnavailable} is refuse. Nothing was written.
 */
public final class ContentRefusedException extends IOException {

  private final String signature;
  private final boolean transientFailure;

  private ContentRefusedException(String message, String signature, boolean transientFailure) {
    super(message);
    this.signature = signature;
    this.transientFailure = transientFailure;
  }

  static ContentRefusedException infected(String description, String signature) {
    return new ContentRefusedException(description + ": refused, malware found: " + signature, signature, false);
  }

  static ContentRefusedException unscanned(String description, String reason, boolean transientFailure) {
    return new ContentRefusedException(description + ": refused, it could not be scanned (" + reason
        + "; scan.onUnavailable is refuse)", null, transientFailure);
  }

  /**
   * Whether the same file may pass later: clamd was down or slow. False for malware and for a
   * file no scan can cover (over a size limit, bytes copied inside S3).
   */
  public boolean transientFailure() {
    return transientFailure;
  }

  /** The signature clamd found; null when the upload was refused unscanned. */
  public String signature() {
    return signature;
  }
}
