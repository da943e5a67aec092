package dev.ferry.jobs.transfer;

/**
 * DIRECT: the remote fetches the object from S3 itself (presigned URL, curl), so no byte passes
 * through Ferry. RELAY: Ferry reads from S3 and writes with SFTP, for remotes that cannot reach S3.
 */
public enum TransferMode {
  DIRECT, RELAY;

  /** "direct" or "relay" in any case, as an operator writes it; null for anything else. */
  public static TransferMode parse(String name) {
    for (TransferMode mode : values()) {
      if (mode.name().equalsIgnoreCase(name.trim())) {
        return mode;
      }
    }
    return null;
  }

  /** A free-space percentage as an operator writes it, "20" or "20%". */
  public static double parsePercent(String text) throws NumberFormatException {
    String trimmed = text.trim();
    return Double.parseDouble(trimmed.endsWith("%") ? trimmed.substring(0, trimmed.length() - 1) : trimmed);
  }
}
