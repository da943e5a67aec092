package dev.ferry.jobs.engine;

import dev.ferry.core.event.EventBus;
import dev.ferry.core.state.Nodes;
import dev.ferry.core.state.StateStore;
import dev.ferry.core.state.StateStoreException;
import dev.ferry.core.thread.DaemonThreads;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job engine: jobs of the registered {@linkplain JobKind kinds}, kept in the state store and
 * run by whichever node claims them. Each node's {@link Dispatcher} claims due jobs while it has a
 * free worker, its heartbeat ({@link ClaimFence}) saves the progress of the jobs it holds and learns
 * of cancels asked on other nodes, and a job whose node stops heartbeating is claimed by another and
 * runs again from what its kind kept ({@link JobRecord#checkpoint()}). {@link Attempts} decides
 * what follows an attempt: failures that may pass are retried with backoff (the job is released,
 * due again later, for any node); a job that waits is released
 * and re-checked the same way. This class is what the rest of Ferry sees: submit, read, cancel.
 */
public class JobEngine implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(JobEngine.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  /** How often a cancel of a job another node runs looks whether that node has ended it. */
  private static final Duration CANCEL_POLL = Duration.ofMillis(100);

  private final JobSettings settings;
  private final Clock clock;
  private final JobStore jobStore;
  private final Nodes nodes;
  private final boolean sharedStore;
  /** The jobs this node holds a claim on, by id. */
  private final Map<String, Job> held = new ConcurrentHashMap<>();
  /** Heartbeats of the held jobs, and wake-ups of the dispatcher when a released job falls due. */
  private final ScheduledExecutorService timer;
  private final ClaimFence fence;
  private final Dispatcher dispatcher;
  /** Each kind of job (its name and work), by spec type. */
  private final Map<Class<? extends JobSpec>, JobKind> kinds = new LinkedHashMap<>();
  private final EventBus events;

  /** Each job's new state (queued, claimed, waiting, verifying, retried, ended) is published to {@code events}. */
  public JobEngine(JobSettings settings, StateStore state, Clock clock, List<JobKind> kinds, EventBus events) {
    this.settings = settings;
    this.events = events;
    this.clock = clock;
    kinds.forEach(kind -> this.kinds.put(kind.spec(), kind));
    this.jobStore = new JobStore(state.database(), kinds);
    this.nodes = state.nodes();
    this.sharedStore = state.shared();
    this.timer = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("ferry-job-timer"));
    this.fence = new ClaimFence(jobStore, nodes, held);
    Attempts attempts = new Attempts(settings, jobStore, nodes, clock, fence, this.kinds, this::dueAgainAfter);
    this.dispatcher = new Dispatcher(settings, jobStore, nodes, clock, fence, held, attempts, new Job.JobNews() {
      @Override
      public void stateChanged(JobRecord record) {
        JobEngine.this.stateChanged(record);
      }

      @Override
      public void noted(JobRecord record, String detail) {
        events.job(record.id(), kindOf(record).name(), record.state().name(), null, record.bytesDone(), detail);
      }
    });
  }

  /**
   * Imports the job files of a Ferry before the state store, then starts claiming jobs. With the
   * embedded store, which one node uses, the jobs this node's previous run held are free at once.
   */
  public void start() throws IOException {
    jobStore.importFiles(settings.directory(), clock.millis());
    if (!sharedStore) {
      int freed = jobStore.releaseOtherNodes(nodes.selfId());
      if (freed > 0) {
        log.info("{} job(s) had not ended when Ferry stopped: they run again (transfers keep their verified parts)", freed);
      }
    }
    long beat = Math.max(100, Math.min(1000, nodes.lease().toMillis() / 3));
    timer.scheduleWithFixedDelay(fence::heartbeat, beat, beat, TimeUnit.MILLISECONDS);
    timer.scheduleWithFixedDelay(new JobRetention(jobStore, nodes, settings.retention(), clock), 0,
        JobRetention.EVERY.toMillis(), TimeUnit.MILLISECONDS);
    dispatcher.start();
  }

  public JobSettings settings() {
    return settings;
  }

  /**
   * Queues a job of a registered kind, checked by its submitter. A spec that is a {@linkplain
   * JobSpec#runOf() run of} something with an unfinished run already (on any node) queues nothing:
   * the answer is empty.
   */
  public Optional<JobRecord> submit(JobSpec spec) throws StateStoreException {
    if (!kinds.containsKey(spec.getClass())) {
      throw new IllegalArgumentException("no job kind registered for " + spec.getClass().getSimpleName());
    }
    JobRecord record = newJob(spec, 0);
    if (!jobStore.insertUnlessRunning(record, clock.millis())) {
      return Optional.empty();
    }
    stateChanged(record);
    log.info("job {} queued: {} -> {}", record.id(), spec.source(), spec.destination());
    wakeDispatcher();
    return Optional.of(record);
  }

  /** A new job with a fresh id, queued now, not stored yet (a kind's front checks and stores it). */
  protected final JobRecord newJob(JobSpec spec, long size) {
    return new JobRecord(HexFormat.of().formatHex(randomId()), spec, JobState.QUEUED, size, 0, 0, 0, 0, null,
        clock.instant().toString(), null, null, null, null, null);
  }

  /**
   * Stores a new job and publishes its state; false, storing nothing, when it is a run of something
   * with an unfinished run already. The caller then wakes the dispatcher.
   */
  protected final boolean store(JobRecord record) throws StateStoreException {
    if (record.spec().runOf() == null) {
      jobStore.insert(record, clock.millis());
    } else if (!jobStore.insertUnlessRunning(record, clock.millis())) {
      return false;
    }
    stateChanged(record);
    return true;
  }

  /** Stores new jobs, all or none, and publishes their states. The caller then wakes the dispatcher. */
  protected final void storeAll(List<JobRecord> records) throws StateStoreException {
    jobStore.insertAll(records, clock.millis());
    records.forEach(this::stateChanged);
  }

  /** Tells the dispatcher that a job may be due now. */
  protected final void wakeDispatcher() {
    dispatcher.wake();
  }

  private void dueAgainAfter(Duration delay) {
    if (delay.isZero()) {
      wakeDispatcher();
    } else if (!fence.isClosing()) {
      timer.schedule(this::wakeDispatcher, delay.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /** The unfinished job that is a run of {@code runOf}, if there is one. */
  public Optional<JobRecord> unfinishedRunOf(String runOf) throws StateStoreException {
    Set<String> heldAtRead = Set.copyOf(held.keySet());
    Optional<JobRecord> stored = jobStore.unfinishedRunOf(runOf);
    return stored.isEmpty() ? stored
        : Optional.of(current(stored.get(), heldAtRead)).filter(record -> !record.state().isFinal());
  }

  /** The most recently created job that is a run of {@code runOf}, if any. */
  public Optional<JobRecord> latestRunOf(String runOf) throws StateStoreException {
    Set<String> heldAtRead = Set.copyOf(held.keySet());
    Optional<JobRecord> stored = jobStore.latestRunOf(runOf);
    return stored.isEmpty() ? stored : Optional.of(current(stored.get(), heldAtRead));
  }

  private static byte[] randomId() {
    byte[] bytes = new byte[6];
    RANDOM.nextBytes(bytes);
    return bytes;
  }

  /** How many jobs of every node are in each state, from the store (metrics). */
  public Map<JobState, Long> countByState() throws StateStoreException {
    return jobStore.countByState();
  }

  /** Every job in the store, or those in {@code state}, newest first (an application's or a test's look at all). */
  public List<JobRecord> list(JobState state) throws StateStoreException {
    return list(state, Integer.MAX_VALUE, null);
  }

  /**
   * A page of the jobs in the store (those this node runs with their live progress), or of those in
   * {@code state}: at most {@code limit}, newest first, created before job {@code before} when given
   * (the last of the previous page).
   */
  public List<JobRecord> list(JobState state, int limit, String before) throws StateStoreException {
    Set<String> heldAtRead = Set.copyOf(held.keySet());
    List<JobRecord> jobs = new ArrayList<>();
    for (JobRecord stored : jobStore.list(state, limit, before)) {
      JobRecord record = current(stored, heldAtRead);
      if (state == null || record.state() == state) {
        jobs.add(record);
      }
    }
    return jobs;
  }

  /**
   * The job as it is now: a job running here from memory (its live progress), any other from the
   * store. Memory is asked first: a job that ends writes its end to the store before it counts as
   * released, so a store read made after that is never older than the end (a read made before
   * could show a finished job as RUNNING, as BatchArchivesIT once saw).
   */
  public Optional<JobRecord> find(String id) throws StateStoreException {
    Optional<JobRecord> live = liveSnapshot(id);
    return live.isPresent() ? live : jobStore.find(id);
  }

  /** The record of a job this node runs and has not released, from memory. */
  private Optional<JobRecord> liveSnapshot(String id) {
    Job job = held.get(id);
    if (job == null || job.released) {
      return Optional.empty();
    }
    JobRecord live = job.snapshot();
    return job.released ? Optional.empty() : Optional.of(live);
  }

  /**
   * A row of a store read, as the job is now: live if this node runs it. A job this node ran when
   * the read began ({@code heldAtRead}) and has released since wrote its end before its release,
   * perhaps after the read: its row is read again rather than shown as RUNNING after it ended.
   */
  private JobRecord current(JobRecord stored, Set<String> heldAtRead) throws StateStoreException {
    Optional<JobRecord> live = liveSnapshot(stored.id());
    if (live.isPresent()) {
      return live.get();
    }
    if (heldAtRead.contains(stored.id()) && !stored.state().isFinal()) {
      return jobStore.find(stored.id()).orElse(stored);
    }
    return stored;
  }

  /**
   * Cancels a job: one that no live node runs ends at once (what its claims left removed by its
   * kind); a running one has its connection closed by the node running it, this one or another, and
   * ends within {@code wait}.
   */
  public JobRecord cancel(String id, Duration wait) throws JobRefusedException, IOException, InterruptedException {
    Job local = held.get(id);
    if (local != null && ClaimFence.markCancelled(local)) {
      ClaimFence.stopAttempt(local);
      local.awaitFinal(wait);
      return local.record().state().isFinal() ? local.snapshot() : find(id).orElse(local.snapshot());
    }
    JobStore.CancelRequest request = jobStore.requestCancel(id, nodes.aliveSince(), clock.instant().toString());
    switch (request.outcome()) {
      case NOT_FOUND -> throw new JobRefusedException(JobRefusedException.Reason.NOT_FOUND, "no job '" + id + "'");
      case ALREADY_ENDED -> throw new JobRefusedException(JobRefusedException.Reason.CONFLICT, "job " + id
          + " has already ended (" + request.record().state() + ")");
      case CANCELLED -> {
        log.info("job {} cancelled", id);
        stateChanged(request.record());
        kindOf(request.record()).cancelledUnheld(request.record());
        return request.record();
      }
      default -> {
        // A live node runs it: its next heartbeat (or this node's, if it is this one) reads the request.
        long deadline = System.nanoTime() + wait.toNanos();
        Optional<JobRecord> now = find(id);
        while (now.isPresent() && !now.get().state().isFinal() && System.nanoTime() < deadline) {
          // Another node's progress reaches this one only through the store, which tells no one
          // of a change: the answer to the operator is polled for, within the wait they allow.
          Thread.sleep(CANCEL_POLL.toMillis());
          now = find(id);
        }
        return now.orElse(request.record());
      }
    }
  }

  private JobKind kindOf(JobRecord record) {
    return kinds.get(record.spec().getClass());
  }

  /** A job's new state, as an event: its kind is the name its spec is stored under ("transfer", "sync"). */
  private void stateChanged(JobRecord record) {
    events.job(record.id(), kindOf(record).name(), record.state().name(), record.lastError(), record.bytesDone(), null);
  }

  /**
   * Stops claiming and stops the attempts running here: their jobs are released as they are (a
   * running one stays RUNNING) and start over on the next node that claims them, this one at its
   * next start.
   */
  @Override
  public void close() {
    fence.closing();
    dispatcher.stopClaiming();
    timer.shutdownNow();
    for (Job job : held.values()) {
      ClaimFence.stopAttempt(job);
    }
    dispatcher.awaitWorkers();
  }
}
