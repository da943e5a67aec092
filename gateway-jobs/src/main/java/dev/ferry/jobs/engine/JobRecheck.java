package dev.ferry.jobs.engine;

import java.time.Duration;

/**
 * Thrown by a {@link JobWork} that cannot go on until something it waits for has happened (a
 * transfer job it queued has ended). The job is not failed and the attempt is not counted: it goes
 * back to the store QUEUED, its message as the reason shown, due again after {@link #after()}, and
 * gives its worker to other jobs meanwhile (a worker held while waiting for a job that needs a
 * worker could wait for ever). {@link #asRecorded} leaves the state and reason as the work recorded
 * them (a transfer WAITING_FOR_SPACE, with the space it measured).
 */
public final class JobRecheck extends Exception {

  private final Duration after;
  private final boolean queued;

  public JobRecheck(String waitingFor, Duration after) {
    this(waitingFor, after, true);
  }

  private JobRecheck(String waitingFor, Duration after, boolean queued) {
    super(waitingFor, null, false, false);
    this.after = after;
    this.queued = queued;
  }

  /** A recheck after {@code after} that keeps the job's state and reason as the work left them. */
  public static JobRecheck asRecorded(Duration after) {
    return new JobRecheck(null, after, false);
  }

  /** Whether the job goes back QUEUED with this message as its reason (else it stays as recorded). */
  boolean queued() {
    return queued;
  }

  public Duration after() {
    return after;
  }
}
