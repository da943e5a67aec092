package dev.ferry.jobs.batch;

import dev.ferry.core.FerryConfig;
import dev.ferry.core.Gateway;
import dev.ferry.core.config.ConfigException;
import dev.ferry.core.event.EventBus;
import dev.ferry.core.event.FerryEvent;
import dev.ferry.core.event.FileEvent;
import dev.ferry.core.event.Origin;
import dev.ferry.core.s3.S3Location;
import dev.ferry.core.state.StateStoreException;
import dev.ferry.core.thread.DaemonThreads;
import dev.ferry.jobs.engine.JobEngine;
import dev.ferry.jobs.engine.JobException;
import dev.ferry.jobs.engine.JobKind;
import dev.ferry.jobs.engine.JobRecord;
import dev.ferry.jobs.engine.JobRefusedException;
import dev.ferry.jobs.engine.RunningJob;
import dev.ferry.jobs.sync.SyncSchedule;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The batches of ferry.yaml at work (s3-batch's archiving, in Ferry). Each run is a job of kind
 * {@code batch} on the job engine (persisted, retried, visible in {@code jobs}; never two runs of
 * one batch at once, on any node), queued by the batch's schedule (shared by all nodes, in the
 * state store), earlier when the files or bytes uploaded to its folder since its last run reach its
 * thresholds (counted from this node's upload events), or by an operator ({@code batch run NAME}).
 */
public final class Batches implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Batches.class);
  /** How often each node looks whether a batch's run is due or its thresholds are reached. */
  private static final Duration TICK = Duration.ofSeconds(1);

  /** A batch as the {@code batches} command shows it; {@code every} and {@code nextRun} in ISO-8601, or null. */
  public record Status(String name, String folder, String every, JobRecord lastRun, JobRecord unfinished,
      String nextRun) {}

  /** Files and bytes uploaded to a batch's folder since its last run was queued (on this node). */
  private record Uploaded(AtomicLong files, AtomicLong bytes) {}

  private final Map<String, BatchDefinition> definitions = new LinkedHashMap<>();
  private final Map<String, Uploaded> uploaded = new ConcurrentHashMap<>();
  private final Gateway gateway;
  private final Clock clock;
  private final SyncSchedule schedule;
  private final BulkIndex bulk = new BulkIndex();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
      DaemonThreads.named("ferry-batch-schedule"));
  private volatile JobEngine jobs;
  private EventBus.Subscription subscription;

  /** @throws ConfigException naming the key of a wrong batch */
  public Batches(FerryConfig config, Gateway gateway, Clock clock) {
    BatchConfig.parse(config).forEach(b -> definitions.put(b.name(), b));
    definitions.keySet().forEach(name -> uploaded.put(name, new Uploaded(new AtomicLong(), new AtomicLong())));
    this.gateway = gateway;
    this.clock = clock;
    this.schedule = new SyncSchedule(gateway.stateStore().database());
  }

  /** What the job engine runs for a job of kind "batch". */
  public JobKind jobKind() {
    return JobKind.of("batch", BatchSpec.class, this::runJob);
  }

  private void runJob(RunningJob job) throws Exception {
    BatchSpec spec = (BatchSpec) job.record().spec();
    BatchDefinition batch = definitions.get(spec.name());
    if (batch == null) {
      throw JobException.permanent("batch '" + spec.name() + "' is not configured (any more)");
    }
    new BatchRun(spec, job, gateway, batch.index(), bulk, clock).run();
  }

  /**
   * Checks that the buckets of every folder and manifest prefix exist (or creates them when
   * {@code s3.createBuckets}), adds new batches to the shared schedule (a new batch's first run
   * comes one {@code every} after it was added; {@code batch run NAME} starts one at once) and
   * starts queueing runs.
   */
  public void start(JobEngine engine) throws IOException {
    this.jobs = engine;
    int index = 0;
    for (BatchDefinition batch : definitions.values()) {
      ensureBucket(batch.folder(), "batches[" + index + "].folder");
      ensureBucket(batch.manifest(), "batches[" + index + "].manifest");
      schedule.ensure(scheduleName(batch), clock.millis() + batch.every().toMillis(), Long.MAX_VALUE);
      index++;
    }
    if (!definitions.isEmpty()) {
      subscription = gateway.events().subscribe("batches", this::onEvent);
      timer.scheduleWithFixedDelay(this::tick, 0, TICK.toMillis(), TimeUnit.MILLISECONDS);
      log.info("{} batch(es) scheduled: {}", definitions.size(), String.join(", ", definitions.keySet()));
    }
  }

  private void ensureBucket(S3Location location, String key) throws IOException {
    if (!gateway.objects().ensureBucket(location.bucket(), gateway.config().createBuckets())) {
      throw new ConfigException(key, "bucket '" + location.bucket() + "' does not exist; create it or set"
          + " s3.createBuckets: true");
    }
  }

  /** The batch's row in the schedule it shares with syncs: a sync's name has no space. */
  private static String scheduleName(BatchDefinition batch) {
    return "batch " + batch.name();
  }

  /** Starts a run of a configured batch now. */
  public JobRecord run(String name) throws JobRefusedException, StateStoreException {
    BatchDefinition batch = definitions.get(name);
    if (batch == null) {
      throw new JobRefusedException(JobRefusedException.Reason.NOT_FOUND, "no batch '" + name + "' (configured: "
          + (definitions.isEmpty() ? "none" : String.join(", ", definitions.keySet())) + ")");
    }
    Optional<JobRecord> queued = queue(batch, "asked for");
    if (queued.isPresent()) {
      return queued.get();
    }
    Optional<JobRecord> unfinished = jobs.unfinishedRunOf(batch.spec().runOf());
    throw new JobRefusedException(JobRefusedException.Reason.CONFLICT, batch.spec().runOf() + " is running already"
        + unfinished.map(j -> " as job " + j.id() + " (" + j.state() + ")").orElse("") + "; one run at a time");
  }

  public List<Status> list() throws StateStoreException {
    List<Status> statuses = new ArrayList<>();
    for (BatchDefinition batch : definitions.values()) {
      String runOf = batch.spec().runOf();
      statuses.add(new Status(batch.name(), batch.folder().toString(), batch.every().toString(),
          jobs.latestRunOf(runOf).orElse(null), jobs.unfinishedRunOf(runOf).orElse(null),
          schedule.read(scheduleName(batch)).map(due -> Instant.ofEpochMilli(due.incrementalAt()).toString())
              .orElse(null)));
    }
    return statuses;
  }

  /** On the uploading thread: counts what reaches a batch's folder, for its thresholds. */
  private void onEvent(FerryEvent event) {
    if (!(event instanceof FileEvent file) || file.type() != FileEvent.Type.UPLOADED
        || file.origin().kind() == Origin.Kind.WORKFLOW && file.origin().name().startsWith("batch ")) {
      return;
    }
    for (BatchDefinition batch : definitions.values()) {
      S3Location folder = batch.folder();
      if (folder.bucket().equals(file.object().bucket()) && file.object().key().startsWith(folder.key())
          && !Originals.leftAlone(file.object().key())) {
        Uploaded counted = uploaded.get(batch.name());
        counted.files().incrementAndGet();
        counted.bytes().addAndGet(file.bytes());
      }
    }
  }

  /** Queues the runs that fell due or whose thresholds were reached. */
  private void tick() {
    for (BatchDefinition batch : definitions.values()) {
      try {
        Uploaded counted = uploaded.get(batch.name());
        if (batch.minFiles() > 0 && counted.files().get() >= batch.minFiles()
            || batch.minBytes() > 0 && counted.bytes().get() >= batch.minBytes()) {
          queue(batch, counted.files().get() + " files, " + counted.bytes().get() + " bytes uploaded");
        }
        startDue(batch);
      } catch (StateStoreException | RuntimeException e) {
        log.warn("batch {}: could not check its schedule: {}", batch.name(), e.getMessage());
      }
    }
  }

  /** Queues the run that fell due, on whichever node moves its due time on first. */
  private void startDue(BatchDefinition batch) throws StateStoreException {
    Optional<SyncSchedule.Due> due = schedule.read(scheduleName(batch));
    long now = clock.millis();
    long next = now + batch.every().toMillis();
    if (due.isEmpty()) {
      return;
    }
    long at = due.get().incrementalAt();
    // Moved on also when the interval was shortened since the row was written.
    if ((now >= at || at > next) && schedule.advance(scheduleName(batch), SyncSchedule.Kind.INCREMENTAL, at, next)
        && now >= at) {
      queue(batch, "due");
    }
  }

  /** Queues a run unless one is unfinished (logged); the upload counts start again from a queued run. */
  private Optional<JobRecord> queue(BatchDefinition batch, String why) throws StateStoreException {
    Optional<JobRecord> queued = jobs.submit(batch.spec());
    if (queued.isPresent()) {
      Uploaded counted = uploaded.get(batch.name());
      counted.files().set(0);
      counted.bytes().set(0);
      log.info("batch {}: run {} ({}), job {} queued", batch.name(), why, batch.folder(), queued.get().id());
    } else {
      log.debug("batch {}: run {} but one is not finished; skipped", batch.name(), why);
    }
    return queued;
  }

  @Override
  public void close() {
    timer.shutdownNow();
    if (subscription != null) {
      subscription.close();
    }
  }
}
