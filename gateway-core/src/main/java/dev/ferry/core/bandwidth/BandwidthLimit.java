package dev.ferry.core.bandwidth;

/**
 * Bytes per second a user's sessions on one node may move, uploads and downloads apart, or the
 * node's sessions together; 0 is no limit.
 */
public record BandwidthLimit(long upBytesPerSecond, long downBytesPerSecond) {

  public static final BandwidthLimit NONE = new BandwidthLimit(0, 0);

  public BandwidthLimit {
    if (upBytesPerSecond < 0 || downBytesPerSecond < 0) {
      throw new IllegalArgumentException("a bandwidth limit cannot be negative");
    }
  }
}
