package dev.ferry.core.quota;

/**
 * How much a user's home may hold: {@code bytes} of objects and {@code files} objects, each 0 for
 * no limit ({@code users[].quota} in ferry.yaml, {@code "quota"} in the users API).
 */
public record QuotaLimit(long bytes, long files) {

  public static final QuotaLimit NONE = new QuotaLimit(0, 0);

  public QuotaLimit {
    if (bytes < 0 || files < 0) {
      throw new IllegalArgumentException("a quota cannot be negative");
    }
  }

  public boolean isNone() {
    return bytes == 0 && files == 0;
  }
}
