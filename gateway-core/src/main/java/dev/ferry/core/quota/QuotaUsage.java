package dev.ferry.core.quota;

/**
 * What a user's home holds ({@code bytes}, {@code files}) and what uploads in progress on live
 * nodes have taken ahead ({@code reservedBytes}, {@code reservedFiles}), against {@code limit}.
 */
public record QuotaUsage(QuotaLimit limit, long bytes, long files, long reservedBytes, long reservedFiles) {

  /** Bytes a new upload may still take: what is left of the quota, or Long.MAX_VALUE without one. */
  public long freeBytes() {
    return limit.bytes() == 0 ? Long.MAX_VALUE : Math.max(0, limit.bytes() - bytes - reservedBytes);
  }

  public long freeFiles() {
    return limit.files() == 0 ? Long.MAX_VALUE : Math.max(0, limit.files() - files - reservedFiles);
  }
}
