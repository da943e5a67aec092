package dev.ferry.jobs.engine;

import dev.ferry.core.state.Nodes;
import dev.ferry.core.state.StateStoreException;
import dev.ferry.jobs.remote.RemoteSession;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's writes of the jobs it holds, each fenced by the job's claim: progress saved by the
 * heartbeat and at the attempt's steps, the check before a change is made visible, and the release
 * or end that must reach the store. A write that finds the claim gone marks the job lost and stops
 * its attempt; one that finds a cancel asked for on another node stops it too.
 */
final class ClaimFence {

  private static final Logger log = LoggerFactory.getLogger(JobEngine.class);
  /** How long a node retries a job's final write while the store is away before it gives the job up to the lease. */
  private static final Duration STORE_RETRY = Duration.ofSeconds(1);
  private static final int STORE_RETRIES_WHEN_CLOSING = 3;

  private final JobStore jobStore;
  private final Nodes nodes;
  /** The jobs this node holds a claim on, by id. */
  private final Map<String, Job> held;
  private volatile boolean closing;

  ClaimFence(JobStore jobStore, Nodes nodes, Map<String, Job> held) {
    this.jobStore = jobStore;
    this.nodes = nodes;
    this.held = held;
  }

  /** Ferry is stopping: a write that cannot reach the store is tried a few times only. */
  void closing() {
    closing = true;
  }

  boolean isClosing() {
    return closing;
  }

  interface ClaimedWrite {
    boolean write() throws StateStoreException;
  }

  /**
   * A job's release or end must reach the store, or no node would run it again until this one
   * dies: it is retried while the store is away (a few times when Ferry is stopping, after which
   * the job waits for this node's lease to lapse).
   */
  void storeUntilWritten(Job job, String what, ClaimedWrite write) {
    boolean interrupted = false;
    try {
      for (int attempt = 1; ; attempt++) {
        try {
          if (!write.write()) {
            job.lost = true;
            log.warn("job {}: another node claimed it while this node was silent past its lease; {} it changed"
                + " nothing in the store", job.id(), what);
          }
          return;
        } catch (StateStoreException e) {
          if (closing && attempt >= STORE_RETRIES_WHEN_CLOSING) {
            log.error("job {}: {} it failed ({}); it stays with this node until its lease lapses", job.id(), what,
                e.getMessage());
            return;
          }
          log.warn("job {}: {} it failed, retrying in {}: {}", job.id(), what, STORE_RETRY, e.getMessage());
        }
        try {
          // The store gives no sign of being back: try again after a pause, not in a tight loop.
          Thread.sleep(STORE_RETRY.toMillis());
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Saves the progress of every job this node runs (so every node shows it), and finds out from the
   * same write whether a cancel was asked for on another node or the claim was lost.
   */
  void heartbeat() {
    for (Job job : held.values()) {
      try {
        save(job, false);
      } catch (StateStoreException | RuntimeException e) {
        log.debug("job {}: heartbeat failed: {}", job.id(), e.getMessage());
      }
    }
  }

  /**
   * Writes the job as it is now, fenced by its claim; false when the claim is lost. Without
   * {@code waitForTurn} (the heartbeat) a job whose worker is writing it is skipped: its worker's
   * write says the same, and one job's retries while the store is away must not stall the others.
   */
  boolean save(Job job, boolean waitForTurn) throws StateStoreException {
    JobStore.Saved saved;
    if (waitForTurn) {
      job.writes.lock();
    } else if (!job.writes.tryLock()) {
      return true;
    }
    try {
      if (job.released || job.lost) {
        return !job.lost;
      }
      long asked = System.nanoTime();
      saved = jobStore.save(job.snapshot(), nodes.selfId(), job.claim);
      if (saved != JobStore.Saved.LOST) {
        job.heldConfirmedNanos = asked;
      }
    } finally {
      job.writes.unlock();
    }
    if (saved == JobStore.Saved.LOST) {
      job.lost = true;
      log.warn("job {}: another node claimed it (this node was silent for longer than its lease of {}); stopping"
          + " this node's attempt", job.id(), nodes.lease());
      stopAttempt(job);
      return false;
    }
    if (saved == JobStore.Saved.HELD_CANCEL_REQUESTED && markCancelled(job)) {
      stopAttempt(job);
    }
    return true;
  }

  /** What an attempt calls at its steps: saves its job, or fails once the claim is lost. */
  void checkpoint(Job job) throws IOException {
    boolean stillHeld;
    try {
      stillHeld = save(job, true);
    } catch (StateStoreException e) {
      log.warn("job {}: could not save its state ({}); the next heartbeat tries again", job.id(), e.getMessage());
      return;
    }
    if (!stillHeld) {
      throw lostClaim(job);
    }
  }

  /** Fails unless this node still holds the job's claim and has heartbeated within its lease. */
  void ensureHeld(Job job) throws IOException {
    if (!job.lost && !jobStore.holds(job.id(), nodes.selfId(), job.claim)) {
      job.lost = true;
    }
    if (job.lost || !nodes.holdsItsLease()) {
      throw lostClaim(job);
    }
  }

  /**
   * Whether this node may go on writing for the job, without asking the store: the claim is not
   * known lost, the node heartbeated within its lease, and a write found the claim held within
   * the lease. Work that writes outside the store as it goes (a relay's chunks) asks before each
   * write, so a node that froze past its lease writes nothing once it wakes.
   */
  boolean holdsClaim(Job job) {
    return !job.lost && nodes.holdsItsLease() && System.nanoTime() - job.heldConfirmedNanos < nodes.lease().toNanos();
  }

  private IOException lostClaim(Job job) {
    return JobException.retryable("job " + job.id() + ": this node no longer holds it (silent for longer than its"
        + " lease of " + nodes.lease() + "; another node may have claimed it); nothing was put in place");
  }

  /** Flags a job this node holds as cancelled, unless its claim was already given up. */
  static boolean markCancelled(Job job) {
    job.writes.lock();
    try {
      if (job.released) {
        return false;
      }
      job.cancelRequested = true;
      return true;
    } finally {
      job.writes.unlock();
    }
  }

  /** Closes the attempt's connection and interrupts its worker, so that work blocked on either stops. */
  static void stopAttempt(Job job) {
    RemoteSession session = job.session.get();
    if (session != null) {
      session.close();
    }
    job.interruptAttempt();
  }
}
