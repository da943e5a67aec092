package dev.ferry.jobs.transfer;

import java.time.Duration;

/**
 * Thrown by a {@link JobWork} that cannot go on until something it waits for has happened (a
 * transfer job it queued has ended). The job is not failed and the attempt is not counted: it goes
 * back to the store QUEUED, its message as the reason shown, due again after {@link #after()}, and
 * gives its worker to other jobs meanwhile (a worker held while waiting for a job that needs a
 * worker could wait for ever).
 */
public final class JobRecheck extends Exception {

  private final Duration after;

  public JobRecheck(String waitingFor, Duration after) {
    super(waitingFor, null, false, false);
    this.after = after;
  }

  public Duration after() {
    return after;
  }
}
