package dev.ferry.jobs.sync;

import dev.ferry.core.s3.S3Location;
import dev.ferry.core.state.StateStore;
import dev.ferry.core.state.StateStoreException;
import dev.ferry.core.thread.DaemonThreads;
import dev.ferry.jobs.engine.JobEngine;
import dev.ferry.jobs.engine.JobException;
import dev.ferry.jobs.engine.JobKind;
import dev.ferry.jobs.engine.JobRecord;
import dev.ferry.jobs.engine.JobRefusedException;
import dev.ferry.jobs.engine.RunningJob;
import dev.ferry.jobs.remote.RemoteHost;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The syncs: their runs are jobs of kind "sync" on the job engine (persisted, claimed by one node,
 * retried, continued after a restart), started by each sync's schedule or by an operator. Never two
 * runs of one sync at once on any node: a run that falls due while another is unfinished is skipped
 * and logged, except a full run, which starts when the unfinished one ends (as the flock of the
 * seed's cron made later runs wait).
 */
public final class Syncs implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Syncs.class);
  /** How often each node looks whether a sync's run is due. */
  private static final Duration TICK = Duration.ofSeconds(1);
  /** Defaults of a one-off run ({@code sync run REMOTE:/dir s3://bucket/prefix/}). */
  private static final int ONE_OFF_PARALLEL = 4;

  /** A sync as the {@code syncs} command shows it. */
  public record Status(SyncDefinition definition, JobRecord lastRun, JobRecord unfinished, Long nextIncrementalAt,
      Long nextFullAt, boolean fullPending) {}

  private final Map<String, SyncDefinition> definitions = new LinkedHashMap<>();
  private final Map<String, RemoteHost> hosts = new LinkedHashMap<>();
  private final SyncServices services;
  private final SyncSchedule schedule;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
      DaemonThreads.named("ferry-sync-schedule"));
  private volatile JobEngine jobs;

  public Syncs(List<SyncDefinition> definitions, List<RemoteHost> remotes, StateStore state, SyncServices services) {
    definitions.forEach(d -> this.definitions.put(d.name(), d));
    remotes.forEach(h -> hosts.put(h.name(), h));
    this.services = services;
    this.schedule = new SyncSchedule(state.database());
  }

  /** What the job engine runs for a job of kind "sync". */
  public JobKind jobKind() {
    return JobKind.of("sync", SyncSpec.class, this::runJob);
  }

  private void runJob(RunningJob job) throws Exception {
    SyncSpec spec = (SyncSpec) job.record().spec();
    RemoteHost host = hosts.get(spec.host());
    if (host == null) {
      throw JobException.permanent("remote host '" + spec.host() + "' is not configured (any more)");
    }
    new SyncRun(spec, job, host, services).run();
  }

  /**
   * Checks that every target bucket exists (or creates it when {@code createBuckets}), adds new
   * syncs to the shared schedule and starts starting runs as they fall due. As with cron, a new
   * sync's first runs come one interval ({@code every}, {@code fullEvery}) after it was added;
   * {@code sync run NAME} starts one at once.
   */
  public void start(JobEngine engine, boolean createBuckets) throws IOException {
    this.jobs = engine;
    int index = 0;
    for (SyncDefinition sync : definitions.values()) {
      if (!services.objects().ensureBucket(sync.bucket(), createBuckets)) {
        throw new IOException("syncs[" + index + "].target: bucket '" + sync.bucket() + "' of sync '" + sync.name()
            + "' does not exist; create it or set s3.createBuckets: true");
      }
      long now = services.clock().millis();
      schedule.ensure(sync.name(), now + sync.every().toMillis(),
          sync.fullEvery() == null ? Long.MAX_VALUE : now + sync.fullEvery().toMillis());
      index++;
    }
    if (!definitions.isEmpty()) {
      timer.scheduleWithFixedDelay(this::tick, 0, TICK.toMillis(), TimeUnit.MILLISECONDS);
      log.info("{} sync(s) scheduled: {}", definitions.size(), String.join(", ", definitions.keySet()));
    }
  }

  /** Starts a run of a configured sync now. */
  public JobRecord run(String name, boolean full) throws JobRefusedException, StateStoreException {
    SyncDefinition sync = definitions.get(name);
    if (sync == null) {
      throw new JobRefusedException(JobRefusedException.Reason.NOT_FOUND, "no sync '" + name + "' (configured: "
          + (definitions.isEmpty() ? "none" : String.join(", ", definitions.keySet())) + ")");
    }
    return submitted(sync.spec(full));
  }

  /** Starts a one-off run between two places, with the defaults of a sync (recursive, nothing deleted). */
  public JobRecord runOneOff(String source, String target, boolean full) throws JobRefusedException,
      StateStoreException {
    SyncPlaces.Source from;
    S3Location to;
    try {
      from = SyncPlaces.source(source, hosts);
      to = SyncPlaces.target(target);
    } catch (IllegalArgumentException e) {
      throw new JobRefusedException(JobRefusedException.Reason.BAD_ARGUMENT, e.getMessage());
    }
    boolean bucketExists;
    try {
      bucketExists = services.objects().ensureBucket(to.bucket(), false);
    } catch (IOException e) {
      throw new JobRefusedException(JobRefusedException.Reason.NOT_FOUND, "bucket '" + to.bucket()
          + "' cannot be read: " + e.getMessage());
    }
    if (!bucketExists) {
      throw new JobRefusedException(JobRefusedException.Reason.NOT_FOUND, "bucket '" + to.bucket() + "' does not exist");
    }
    return submitted(new SyncSpec(null, from.host().name(), from.dir(), to.bucket(), to.key(), full, List.of(),
        List.of(), 0, ONE_OFF_PARALLEL, true, false, false));
  }

  private JobRecord submitted(SyncSpec spec) throws JobRefusedException, StateStoreException {
    Optional<JobRecord> queued = jobs.submit(spec);
    if (queued.isPresent()) {
      return queued.get();
    }
    Optional<JobRecord> unfinished = jobs.unfinishedRunOf(spec.runOf());
    throw new JobRefusedException(JobRefusedException.Reason.CONFLICT, spec.runOf() + " is running already"
        + unfinished.map(j -> " as job " + j.id() + " (" + j.state() + ")").orElse("") + "; one run at a time");
  }

  public List<Status> list() throws StateStoreException {
    List<Status> statuses = new ArrayList<>();
    for (SyncDefinition sync : definitions.values()) {
      String runOf = sync.spec(false).runOf();
      Optional<SyncSchedule.Due> due = schedule.read(sync.name());
      statuses.add(new Status(sync, jobs.latestRunOf(runOf).orElse(null), jobs.unfinishedRunOf(runOf).orElse(null),
          due.map(SyncSchedule.Due::incrementalAt).orElse(null),
          due.map(SyncSchedule.Due::fullAt).filter(at -> at != Long.MAX_VALUE).orElse(null),
          due.map(SyncSchedule.Due::fullPending).orElse(false)));
    }
    return statuses;
  }

  /** Starts the runs that fell due, on whichever node moves their due time on first. */
  private void tick() {
    for (SyncDefinition sync : definitions.values()) {
      try {
        startDue(sync);
      } catch (StateStoreException | RuntimeException e) {
        log.warn("sync {}: could not check its schedule: {}", sync.name(), e.getMessage());
      }
    }
  }

  private void startDue(SyncDefinition sync) throws StateStoreException {
    Optional<SyncSchedule.Due> read = schedule.read(sync.name());
    if (read.isEmpty()) {
      return;
    }
    SyncSchedule.Due due = read.get();
    long now = services.clock().millis();
    if (sync.fullEvery() != null && now >= due.fullAt()
        && schedule.advance(sync.name(), SyncSchedule.Kind.FULL, due.fullAt(), now + sync.fullEvery().toMillis())) {
      if (!trigger(sync, true)) {
        schedule.setFullPending(sync.name(), true);
      }
    } else if (now >= due.incrementalAt()
        && schedule.advance(sync.name(), SyncSchedule.Kind.INCREMENTAL, due.incrementalAt(),
            now + sync.every().toMillis())) {
      trigger(sync, false);
    } else if (due.incrementalAt() > now + sync.every().toMillis()) {
      // The interval was shortened since the row was written: the next run comes one new interval from now.
      schedule.advance(sync.name(), SyncSchedule.Kind.INCREMENTAL, due.incrementalAt(), now + sync.every().toMillis());
    }
    if (due.fullPending() && jobs.unfinishedRunOf(sync.spec(true).runOf()).isEmpty()
        && schedule.setFullPending(sync.name(), false) && !trigger(sync, true)) {
      schedule.setFullPending(sync.name(), true);
    }
  }

  /** Queues a run; false (logged) when the sync has an unfinished one. */
  private boolean trigger(SyncDefinition sync, boolean full) throws StateStoreException {
    SyncSpec spec = sync.spec(full);
    Optional<JobRecord> queued = jobs.submit(spec);
    if (queued.isPresent()) {
      log.info("sync {}: {} run due, job {} queued", sync.name(), spec.runKind(), queued.get().id());
      return true;
    }
    Optional<JobRecord> unfinished = jobs.unfinishedRunOf(spec.runOf());
    log.info("sync {}: {} run due but skipped: run {} is not finished{}", sync.name(), spec.runKind(),
        unfinished.map(JobRecord::id).orElse("(just ended)"), full ? "; the full run starts when it ends" : "");
    return false;
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
