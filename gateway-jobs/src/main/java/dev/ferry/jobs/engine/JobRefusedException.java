package dev.ferry.jobs.engine;

/** A job request that was refused before any job was created, with the reason named. */
public final class JobRefusedException extends Exception {

  public enum Reason { BAD_ARGUMENT, UNKNOWN_HOST, NOT_FOUND, NOT_ALLOWED, CONFLICT }

  private final Reason reason;

  public JobRefusedException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
