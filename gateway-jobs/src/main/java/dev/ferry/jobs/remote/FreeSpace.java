package dev.ferry.jobs.remote;

/** A filesystem's size and the bytes an unprivileged user may still write there, as measured on the remote. */
public record FreeSpace(long totalBytes, long availableBytes, String source) {

  @com.fasterxml.jackson.annotation.JsonProperty(value = "percentFree",
      access = com.fasterxml.jackson.annotation.JsonProperty.Access.READ_ONLY)
  public double percentFree() {
    return totalBytes <= 0 ? 0 : availableBytes * 100.0 / totalBytes;
  }

  @Override
  public String toString() {
    return String.format(java.util.Locale.ROOT, "%.2f%% free (%d of %d bytes, %s)", percentFree(), availableBytes,
        totalBytes, source);
  }
}
