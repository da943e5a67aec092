package dev.ferry.jobs.engine;

import dev.ferry.core.state.Nodes;
import dev.ferry.core.state.StateStoreException;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes finished jobs older than {@code jobs.retention} (30 days by default), so that {@code jobs}
 * and {@code ferry_jobs{state="DONE"}} stop growing for as long as Ferry runs. One node at a time
 * does it: the one the store names its housekeeper ({@link Nodes#isHousekeeper}). The latest run of
 * each sync or batch stays, whatever its age: its next run and the console read it.
 */
final class JobRetention implements Runnable {

  /** How often the old jobs are looked for. */
  static final Duration EVERY = Duration.ofHours(1);

  private static final Logger log = LoggerFactory.getLogger(JobRetention.class);

  private final JobStore store;
  private final Nodes nodes;
  private final Duration retention;
  private final Clock clock;

  JobRetention(JobStore store, Nodes nodes, Duration retention, Clock clock) {
    this.store = store;
    this.nodes = nodes;
    this.retention = retention;
    this.clock = clock;
  }

  @Override
  public void run() {
    if (retention.isZero()) {
      return;
    }
    try {
      if (!nodes.isHousekeeper()) {
        return;
      }
      int deleted = store.deleteFinishedBefore(clock.millis() - retention.toMillis());
      if (deleted > 0) {
        log.info("deleted {} job(s) finished more than {} ago (jobs.retention)", deleted, retention);
      }
    } catch (StateStoreException | RuntimeException e) {
      log.warn("deleting jobs finished more than {} ago failed: {}", retention, e.getMessage());
    }
  }
}
