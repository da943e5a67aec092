package dev.ferry.core.job;

import java.time.Duration;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;

/**
 * A job while Ferry runs: its current record, plus what a cancel needs to reach (the session in
 * use, the scheduled re-check, the worker thread). Live byte and part counts come from the running
 * attempt and are merged into {@link #snapshot()}.
 */
final class Job {

  private JobRecord record;
  volatile boolean cancelRequested;
  final AtomicReference<RemoteSession> session = new AtomicReference<>();
  final AtomicReference<TransferAttempt> attempt = new AtomicReference<>();
  volatile Future<?> scheduled;
  volatile Thread worker;
  /** Guarded by this: once set, the worker is cleaning up or recording the outcome, and no cancel may interrupt it. */
  private boolean attemptOver;

  Job(JobRecord record) {
    this.record = record;
  }

  /** The worker starts an attempt: a cancel may now interrupt it. */
  synchronized void startAttempt(Thread thread) {
    worker = thread;
    attemptOver = false;
  }

  /**
   * The attempt has returned or thrown. A cancel's interrupt arriving later would break the staging
   * clean-up (a new SSH connection) or the job file's write, so from here on none is sent, and one
   * already sent is cleared.
   */
  synchronized void endAttempt() {
    attemptOver = true;
    Thread.interrupted();
  }

  synchronized void interruptAttempt() {
    if (worker != null && !attemptOver) {
      worker.interrupt();
    }
  }

  synchronized JobRecord record() {
    return record;
  }

  synchronized JobRecord update(UnaryOperator<JobRecord> change) {
    record = change.apply(record);
    notifyAll();
    return record;
  }

  /** Waits until the job is in a final state or {@code wait} has passed, whichever comes first. */
  synchronized void awaitFinal(Duration wait) throws InterruptedException {
    long deadline = System.nanoTime() + wait.toNanos();
    while (!record.state().isFinal()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return;
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
  }

  /** The record with the running attempt's progress. */
  JobRecord snapshot() {
    TransferAttempt running = attempt.get();
    JobRecord current = record();
    return running == null ? current
        : current.withProgress(running.bytesDone.get(), running.partsDone.get(), current.partsTotal());
  }

  String id() {
    return record().id();
  }
}
