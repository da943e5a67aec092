package dev.ferry.jobs.engine;

import dev.ferry.jobs.remote.RemoteSession;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.UnaryOperator;

/**
 * A job while this node holds its claim: its current record and claim number, plus what a cancel
 * or a lost claim needs to reach (the session in use, the worker thread). Live byte and part counts
 * come from the running attempt and are merged into {@link #snapshot()}.
 */
final class Job {

  private JobRecord record;
  /** The claim this node holds the job under: every write of the job is fenced by it. */
  final long claim;
  volatile boolean cancelRequested;
  /** Another node has claimed the job since (this node was silent past its lease): this node changes nothing more. */
  volatile boolean lost;
  /** Set (under {@link #writes}) once the claim is given back to the store: no write of this node changes the job any more. */
  volatile boolean released;
  final AtomicReference<RemoteSession> session = new AtomicReference<>();
  /** The running attempt's live byte and part counts, when its work shows them (a transfer's parts). */
  final AtomicReference<LiveProgress> progress = new AtomicReference<>();
  volatile Thread worker;
  /** Writes of this job's record go one at a time, so an older snapshot never lands after a newer one. */
  final ReentrantLock writes = new ReentrantLock();
  /** Guarded by this: once set, the worker is cleaning up or recording the outcome, and no cancel may interrupt it. */
  private boolean attemptOver;
  /**
   * System.nanoTime() when a fenced write last found the claim still this node's (or the claim was
   * made): a node that froze past its lease and woke has none within the lease until its next
   * write, which finds the claim lost.
   */
  volatile long heldConfirmedNanos = System.nanoTime();
  private final JobNews news;

  /** {@code news}: told of each new state the job's record takes (after the claim's), and what its work notes. */
  Job(JobRecord record, long claim, JobNews news) {
    this.record = record;
    this.claim = claim;
    this.news = news;
  }

  /** Where a job's news goes: its new states, and what its work says of itself (a transfer that resumed). */
  interface JobNews {
    void stateChanged(JobRecord record);

    void noted(JobRecord record, String detail);
  }

  /** Publishes {@code detail} about the job as it is now. */
  void note(String detail) {
    news.noted(record(), detail);
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
    JobState before = record.state();
    record = change.apply(record);
    notifyAll();
    if (record.state() != before) {
      news.stateChanged(record);
    }
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
    LiveProgress running = progress.get();
    JobRecord current = record();
    return running == null ? current
        : current.withProgress(running.bytesDone(), running.partsDone(), current.partsTotal());
  }

  String id() {
    return record().id();
  }
}
