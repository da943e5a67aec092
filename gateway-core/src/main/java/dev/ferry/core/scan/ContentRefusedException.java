package dev.ferry.core.scan;

import java.io.IOException;

/**
 * An upload refused for what is in it: clamd found malware ({@link #signature()} names it), or no
 * scan could vouch for it and {@code scan.onUnavailable} is refuse. Nothing was written.
 */
public final class ContentRefusedException extends IOException {

  private final String signature;

  private ContentRefusedException(String message, String signature) {
    super(message);
    this.signature = signature;
  }

  static ContentRefusedException infected(String description, String signature) {
    return new ContentRefusedException(description + ": refused, malware found: " + signature, signature);
  }

  static ContentRefusedException unscanned(String description, String reason) {
    return new ContentRefusedException(description + ": refused, it could not be scanned (" + reason
        + "; scan.onUnavailable is refuse)", null);
  }

  /** The signature clamd found; null when the upload was refused unscanned. */
  public String signature() {
    return signature;
  }
}
