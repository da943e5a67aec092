package dev.ferry.jobs.engine;

import dev.ferry.core.state.Nodes;
import dev.ferry.core.state.StateStoreException;
import dev.ferry.core.thread.DaemonThreads;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The claim loop: claims due jobs while a worker is idle ({@code jobs.workers}) and hands each to
 * a worker, and waits for a submit, a due job or the poll interval otherwise (jobs submitted on
 * other nodes reach this one only through the store).
 */
final class Dispatcher {

  private static final Logger log = LoggerFactory.getLogger(JobEngine.class);

  private final JobSettings settings;
  private final JobStore jobStore;
  private final Nodes nodes;
  private final Clock clock;
  private final ClaimFence fence;
  private final Map<String, Job> held;
  private final Attempts attempts;
  private final Job.JobNews news;
  private final ExecutorService workers;
  private final Semaphore idleWorkers;
  private final Thread thread;
  private final Object dispatch = new Object();
  private boolean dispatchWanted;

  Dispatcher(JobSettings settings, JobStore jobStore, Nodes nodes, Clock clock, ClaimFence fence,
      Map<String, Job> held, Attempts attempts, Job.JobNews news) {
    this.settings = settings;
    this.jobStore = jobStore;
    this.nodes = nodes;
    this.clock = clock;
    this.fence = fence;
    this.held = held;
    this.attempts = attempts;
    this.news = news;
    this.workers = Executors.newFixedThreadPool(settings.workers(), DaemonThreads.named("ferry-job"));
    this.idleWorkers = new Semaphore(settings.workers());
    this.thread = DaemonThreads.named("ferry-job-dispatch").newThread(this::dispatch);
  }

  void start() {
    thread.start();
  }

  private void dispatch() {
    while (!fence.isClosing()) {
      try {
        idleWorkers.acquire();
      } catch (InterruptedException e) {
        return;
      }
      Optional<JobStore.Claimed> claimed = Optional.empty();
      try {
        claimed = jobStore.claimNext(nodes.selfId(), nodes.name(), nodes.aliveSince(), clock.millis());
      } catch (StateStoreException | RuntimeException e) {
        log.warn("claiming jobs failed: {}", e.getMessage());
      }
      if (claimed.isEmpty() || fence.isClosing()) {
        idleWorkers.release();
        if (!awaitDispatch(settings.pollInterval())) {
          return;
        }
        continue;
      }
      JobStore.Claimed claim = claimed.get();
      Job job = new Job(claim.record(), claim.claim(), news);
      held.put(job.id(), job);
      if (claim.previousOwner() != null) {
        log.info("job {} ({} -> {}) taken over from a node that stopped or went silent past its lease",
            job.id(), claim.record().spec().source(), claim.record().spec().destination());
      }
      log.info("job {} claimed (claim {}), {} ms after it fell due", job.id(), claim.claim(),
          Math.max(0, clock.millis() - claim.dueAt()));
      try {
        workers.execute(() -> {
          try {
            if (claim.cancelRequested()) {
              attempts.endCancelledAtClaim(job);
            } else {
              attempts.run(job);
            }
          } finally {
            held.remove(job.id(), job);
            idleWorkers.release();
          }
        });
      } catch (RejectedExecutionException stopping) {
        held.remove(job.id(), job);
        return;
      }
    }
  }

  /** Waits until woken or {@code timeout} passes; false when this thread was interrupted (Ferry stopping). */
  private boolean awaitDispatch(Duration timeout) {
    synchronized (dispatch) {
      try {
        if (!dispatchWanted) {
          dispatch.wait(Math.max(1, timeout.toMillis()));
        }
      } catch (InterruptedException e) {
        return false;
      } finally {
        dispatchWanted = false;
      }
    }
    return true;
  }

  void wake() {
    synchronized (dispatch) {
      dispatchWanted = true;
      dispatch.notifyAll();
    }
  }

  /** Stops claiming. */
  void stopClaiming() {
    thread.interrupt();
  }

  /** Waits up to 20 seconds for the attempts running here, already told to stop. */
  void awaitWorkers() {
    workers.shutdown();
    try {
      if (!workers.awaitTermination(20, TimeUnit.SECONDS)) {
        log.warn("jobs still stopping after 20 s: {}", held.keySet());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    workers.shutdownNow();
  }
}
