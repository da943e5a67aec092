package dev.ferry.jobs.engine;

import dev.ferry.core.state.Nodes;
import dev.ferry.jobs.remote.RemoteSession;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One attempt of a claimed job and what follows it: done, failed, released for a retry with
 * backoff or for a re-check, cancelled, or given up to the node that claimed it since. The retry
 * policy is here once: a transient failure ({@link Failures#isTransient}) with attempts left is
 * tried again after {@code jobs.retryBackoff}, doubled for each attempt made (at most 64 times).
 */
final class Attempts {

  private static final Logger log = LoggerFactory.getLogger(JobEngine.class);

  private final JobSettings settings;
  private final JobStore jobStore;
  private final Nodes nodes;
  private final Clock clock;
  private final ClaimFence fence;
  private final Map<Class<? extends JobSpec>, JobKind> kinds;
  /** Wakes the dispatcher after the delay given: a released job is due again then. */
  private final DueAgain dueAgain;

  interface DueAgain {
    void after(Duration delay);
  }

  Attempts(JobSettings settings, JobStore jobStore, Nodes nodes, Clock clock, ClaimFence fence,
      Map<Class<? extends JobSpec>, JobKind> kinds, DueAgain dueAgain) {
    this.settings = settings;
    this.jobStore = jobStore;
    this.nodes = nodes;
    this.clock = clock;
    this.fence = fence;
    this.kinds = kinds;
    this.dueAgain = dueAgain;
  }

  private JobKind kindOf(JobRecord record) {
    return kinds.get(record.spec().getClass());
  }

  /** A cancel asked for while the job's owner was alive, which then died before acting on it. */
  void endCancelledAtClaim(Job job) {
    kindOf(job.record()).cancelledUnheld(job.record());
    finish(job, JobState.CANCELLED, "cancelled");
    log.info("job {} cancelled", job.id());
  }

  /** Ends a job this node runs as cancelled, once its attempt has stopped: what this claim left goes first. */
  private void endCancelled(Job job) {
    kindOf(job.record()).abandoned(job.record(), job.claim);
    finish(job, JobState.CANCELLED, "cancelled");
    log.info("job {} cancelled", job.id());
  }

  /** Runs on a worker: one attempt, then done, failed, released for a retry or a re-check, or given up. */
  void run(Job job) {
    synchronized (job) {
      job.startAttempt(Thread.currentThread());
    }
    int before = job.record().attempts();
    job.update(r -> r.withAttempt(before + 1, r.started()));
    JobKind kind = kindOf(job.record());
    try {
      if (kind.runningFromStart()) {
        String now = clock.instant().toString();
        // RUNNING as a transfer is once it has started: before this, a running sync was listed as QUEUED.
        job.update(r -> r.withRunning(r.size(), r.partsTotal(), r.started() != null ? r.started() : now));
      }
      try {
        kind.work().run(new Running(job));
      } catch (JobRecheck waiting) {
        job.endAttempt();
        job.update(r -> waiting.queued()
            ? r.withAttempt(before, r.started()).withState(JobState.QUEUED).withError(waiting.getMessage())
            : r.withAttempt(before, r.started()));
        release(job, waiting.after());
        return;
      }
      job.endAttempt();
      job.update(r -> r.withError(null));
      finish(job, JobState.DONE, null);
      if (!job.lost) {
        log.info("job {} done: {} -> {}", job.id(), job.record().spec().source(), job.record().spec().destination());
      }
    } catch (Exception e) {
      job.endAttempt();
      if (job.lost) {
        kind.abandoned(job.record(), job.claim);
        log.warn("job {}: another node claimed it while this node was silent past its lease; this node's attempt"
            + " stopped and committed nothing ({})", job.id(), Failures.describe(e));
      } else if (fence.isClosing()) {
        release(job, Duration.ZERO);
        log.info("job {} interrupted by shutdown; it stays {} and runs again on the next node to claim it", job.id(),
            job.record().state());
      } else if (job.cancelRequested) {
        endCancelled(job);
      } else if (retriesAfter(job, e)) {
        int attempts = job.record().attempts();
        Duration backoff = settings.retryBackoff().multipliedBy(1L << Math.min(attempts - 1, 6));
        job.update(r -> r.withState(JobState.QUEUED).withError("attempt " + attempts + " failed, retry in "
            + backoff.toSeconds() + "s: " + Failures.describe(e)));
        log.warn("job {} attempt {} failed, retrying in {}: {}", job.id(), attempts, backoff, Failures.describe(e));
        release(job, backoff);
      } else {
        kind.abandoned(job.record(), job.claim);
        job.update(r -> r.withError(Failures.describe(e)));
        finish(job, JobState.FAILED, null);
        log.warn("job {} failed after {} attempt(s): {}", job.id(), job.record().attempts(), Failures.describe(e));
      }
    } finally {
      synchronized (job) {
        job.worker = null;
      }
      Thread.interrupted();
    }
  }

  /** The engine's one rule for a failed attempt: tried again when the failure is transient and attempts are left. */
  private boolean retriesAfter(Job job, Throwable failure) {
    return Failures.isTransient(failure) && job.record().attempts() < settings.maxAttempts();
  }

  /**
   * Gives the job back to the store, due again after {@code delay}, for whichever node claims it
   * then. A cancel that came while the attempt was deciding to wait or retry ends it instead.
   */
  void release(Job job, Duration delay) {
    boolean cancelled;
    job.writes.lock();
    try {
      cancelled = job.cancelRequested && !fence.isClosing();
      if (!cancelled) {
        long due = clock.millis() + delay.toMillis();
        // Released once the store has it: until then find() shows this node's record, not the stored one.
        try {
          fence.storeUntilWritten(job, "releasing", () -> jobStore.release(job.snapshot(), nodes.selfId(), job.claim,
              due));
        } finally {
          job.released = true;
        }
      }
    } finally {
      job.writes.unlock();
    }
    if (cancelled) {
      endCancelled(job); // outside the lock: the remote may take a while
      return;
    }
    dueAgain.after(delay);
  }

  /** Ends the job in {@code end} and gives up its claim; a final state is never claimed again. */
  private void finish(Job job, JobState end, String error) {
    job.writes.lock();
    try {
      job.update(r -> (error == null ? r : r.withError(error)).withFinished(end, clock.instant().toString()));
      fence.storeUntilWritten(job, "ending", () -> jobStore.release(job.snapshot(), nodes.selfId(), job.claim,
          clock.millis()));
    } finally {
      job.released = true;
      job.writes.unlock();
    }
  }

  /** A job as its kind's work sees it: the job, this node's claim on it, the checkpoints. */
  private final class Running implements RunningJob {
    private final Job job;

    Running(Job job) {
      this.job = job;
    }

    @Override
    public JobRecord record() {
      return job.record();
    }

    @Override
    public long claim() {
      return job.claim;
    }

    @Override
    public void update(UnaryOperator<JobRecord> change) {
      job.update(change);
    }

    @Override
    public boolean retriesAfter(Throwable failure) {
      return Attempts.this.retriesAfter(job, failure);
    }

    @Override
    public boolean cancelRequested() {
      return job.cancelRequested;
    }

    @Override
    public void useSession(RemoteSession session) {
      job.session.set(session);
      if (session != null && job.cancelRequested) {
        session.close();
      }
    }

    @Override
    public void showProgress(LiveProgress progress) {
      job.progress.set(progress);
    }

    @Override
    public void save() throws IOException {
      fence.checkpoint(job);
    }

    @Override
    public void ensureHeld() throws IOException {
      fence.ensureHeld(job);
    }

    @Override
    public boolean holdsClaim() {
      return fence.holdsClaim(job);
    }

    @Override
    public void note(String detail) {
      job.note(detail);
    }
  }
}
