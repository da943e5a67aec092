package dev.ferry.core.s3;

import java.io.IOException;

/**
 * An S3 call that failed, named by operation and location. The {@link Kind} is what callers act on;
 * the message is for people and never contains credentials.
 */
public final class StoreException extends IOException {

  public enum Kind { NOT_FOUND, ACCESS_DENIED, PRECONDITION_FAILED, UNAVAILABLE, REJECTED }

  private final Kind kind;

  public StoreException(Kind kind, String operation, Object location, String detail, Throwable cause) {
    super(operation + " " + location + " failed: " + detail, cause);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
