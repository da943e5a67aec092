package dev.ferry.jobs.engine;

import java.io.IOException;

/**
 * A step of a job that failed for a reason the job reports. {@code transient} ones (a broken
 * connection, S3 unavailable) are retried with backoff; the others fail the job at once.
 */
public final class JobException extends IOException {

  private final boolean transientFailure;

  private JobException(String message, boolean transientFailure, Throwable cause) {
    super(message, cause);
    this.transientFailure = transientFailure;
  }

  public static JobException permanent(String message) {
    return new JobException(message, false, null);
  }

  public static JobException permanent(String message, Throwable cause) {
    return new JobException(message, false, cause);
  }

  public static JobException retryable(String message) {
    return new JobException(message, true, null);
  }

  public static JobException retryable(String message, Throwable cause) {
    return new JobException(message, true, cause);
  }

  public boolean isTransient() {
    return transientFailure;
  }
}
