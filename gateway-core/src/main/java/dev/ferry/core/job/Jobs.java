package dev.ferry.core.job;

import dev.ferry.core.catalog.ObjectCatalog;
import dev.ferry.core.store.ObjectInfo;
import dev.ferry.core.store.ObjectStore;
import dev.ferry.core.store.S3Location;
import dev.ferry.core.store.StoreException;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transfer jobs: created from requests (validated before anything is stored), persisted in
 * {@code dataDir/jobs}, run by a bounded pool of workers, retried with backoff when a failure is
 * transient, re-checked on a timer while waiting for space, cancellable, and resumed at start (a job
 * that was running starts again; its partial files are removed first).
 */
public final class Jobs implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Jobs.class);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final JobSettings settings;
  private final ObjectStore store;
  private final Map<String, RemoteHost> hosts = new LinkedHashMap<>();
  private final RemoteConnector connector;
  private final Clock clock;
  private final JobStore jobStore;
  private final Map<String, Job> jobs = new ConcurrentHashMap<>();
  private final ExecutorService workers;
  private final ExecutorService partPool;
  private final ScheduledExecutorService timer;
  private final JobRunner runner;
  private volatile boolean closing;

  public Jobs(JobSettings settings, ObjectStore store, ObjectCatalog catalog, List<RemoteHost> remotes,
      RemoteConnector connector, Clock clock) throws IOException {
    this.settings = settings;
    this.store = store;
    remotes.forEach(h -> hosts.put(h.name(), h));
    this.connector = connector;
    this.clock = clock;
    this.jobStore = new JobStore(settings.directory());
    this.workers = Executors.newFixedThreadPool(settings.workers(), threads("ferry-job"));
    this.partPool = Executors.newCachedThreadPool(threads("ferry-job-part"));
    this.timer = Executors.newSingleThreadScheduledExecutor(threads("ferry-job-timer"));
    this.runner = new JobRunner(store, catalog, connector, hosts, settings, partPool, clock);
  }

  /** Loads the stored jobs and queues every one that has not ended. */
  public void start() throws IOException {
    for (JobRecord stored : jobStore.loadAll()) {
      Job job = new Job(stored);
      jobs.put(stored.id(), job);
      if (!stored.state().isFinal()) {
        log.info("job {} ({} -> {}) was {} when Ferry stopped: queued again", stored.id(), stored.spec().source(),
            stored.spec().destination(), stored.state());
        job.update(r -> r.withState(JobState.QUEUED));
        persist(job);
        workers.execute(() -> execute(job));
      }
    }
  }

  public List<RemoteHost> hosts() {
    return List.copyOf(hosts.values());
  }

  public JobSettings settings() {
    return settings;
  }

  /** Validates the request (host, path, parts, threshold, object) and queues a job; nothing is stored if refused. */
  public JobRecord submit(TransferRequest request) throws JobRefusedException, IOException {
    S3Location object = S3Location.parseObject(request.source()).orElseThrow(() -> new JobRefusedException(
        JobRefusedException.Reason.BAD_ARGUMENT, "source '" + request.source() + "' must be s3://bucket/key or bucket/key"));
    Destination destination = destination(request.destination());
    int parts = request.parts() == null ? settings.defaultParts() : request.parts();
    if (parts < 1 || parts > settings.maxParts()) {
      throw new JobRefusedException(JobRefusedException.Reason.BAD_ARGUMENT, "--parts must be between 1 and "
          + settings.maxParts() + ", got " + parts);
    }
    double threshold = request.freeSpacePercent() == null ? settings.defaultFreeSpacePercent()
        : request.freeSpacePercent();
    if (threshold < 0 || threshold > 100 || Double.isNaN(threshold)) {
      throw new JobRefusedException(JobRefusedException.Reason.BAD_ARGUMENT, "--free-space must be a percentage"
          + " between 0 and 100, got " + threshold);
    }
    Optional<ObjectInfo> info;
    try {
      info = ObjectStore.await(store.head(object));
    } catch (StoreException e) {
      if (e.kind() == StoreException.Kind.ACCESS_DENIED) {
        throw new JobRefusedException(JobRefusedException.Reason.NOT_ALLOWED, e.getMessage());
      }
      throw e;
    }
    if (info.isEmpty()) {
      throw new JobRefusedException(JobRefusedException.Reason.NOT_FOUND, "no such object " + object);
    }
    TransferSpec spec = new TransferSpec(object.bucket(), object.key(), destination.host().name(),
        destination.path(), parts, threshold, request.mode() == null ? TransferMode.DIRECT : request.mode(),
        request.overwrite());
    String id = HexFormat.of().formatHex(randomId());
    JobRecord record = new JobRecord(id, spec, JobState.QUEUED, info.get().size(), 0, 0, 0, 0, null,
        clock.instant().toString(), null, null, null, null);
    Job job = new Job(record);
    jobStore.save(record);
    jobs.put(id, job);
    log.info("job {} queued: {} -> {} ({} bytes, {} parts, {}, free space {})", id, spec.source(),
        spec.destination(), record.size(), parts, spec.mode(), threshold > 0 ? "> " + threshold + "%" : "not checked");
    workers.execute(() -> execute(job));
    return record;
  }

  /**
   * One transfer per object under {@code prefix} to the same relative path under {@code remoteDir},
   * each its own job (the worker pool bounds how many run at once). Every destination is checked
   * before the first job is created, so a refused push creates none.
   */
  public List<JobRecord> push(String prefix, String remoteDir, Integer parts, Double freeSpacePercent,
      TransferMode mode, boolean overwrite) throws JobRefusedException, IOException {
    String source = prefix.startsWith("s3://") ? prefix.substring(5) : prefix;
    int slash = source.indexOf('/');
    String bucket = slash < 0 ? source : source.substring(0, slash);
    String keyPrefix = slash < 0 ? "" : source.substring(slash + 1);
    if (bucket.isEmpty()) {
      throw new JobRefusedException(JobRefusedException.Reason.BAD_ARGUMENT, "prefix '" + prefix
          + "' must be s3://bucket/prefix or bucket/prefix");
    }
    String dir = remoteDir.endsWith("/") ? remoteDir.substring(0, remoteDir.length() - 1) : remoteDir;
    List<ObjectInfo> objects = new java.util.ArrayList<>();
    String token = null;
    do {
      dev.ferry.core.store.ListPage page = ObjectStore.await(store.listPage(new S3Location(bucket, keyPrefix), null,
          token, 1000));
      page.objects().stream().filter(o -> !o.key().endsWith("/")).forEach(objects::add);
      token = page.nextToken();
    } while (token != null);
    if (objects.isEmpty()) {
      throw new JobRefusedException(JobRefusedException.Reason.NOT_FOUND, "no objects under s3://" + bucket + "/"
          + keyPrefix);
    }
    List<TransferRequest> requests = new java.util.ArrayList<>();
    for (ObjectInfo object : objects) {
      String relative = object.key().substring(keyPrefix.length());
      if (relative.startsWith("/")) {
        relative = relative.substring(1);
      }
      String destination = dir + "/" + relative;
      destination(destination);
      requests.add(new TransferRequest("s3://" + bucket + "/" + object.key(), destination, parts, freeSpacePercent,
          mode, overwrite));
    }
    List<JobRecord> created = new java.util.ArrayList<>();
    for (TransferRequest request : requests) {
      created.add(submit(request));
    }
    return created;
  }

  private static byte[] randomId() {
    byte[] bytes = new byte[6];
    RANDOM.nextBytes(bytes);
    return bytes;
  }

  record Destination(RemoteHost host, String path) {}

  /** "host:/absolute/path" → a configured host and a path it allows. */
  Destination destination(String text) throws JobRefusedException {
    int colon = text.indexOf(':');
    if (colon <= 0) {
      throw new JobRefusedException(JobRefusedException.Reason.BAD_ARGUMENT, "destination '" + text
          + "' must be host:/absolute/path");
    }
    String name = text.substring(0, colon);
    String path = text.substring(colon + 1);
    RemoteHost host = hosts.get(name);
    if (host == null) {
      throw new JobRefusedException(JobRefusedException.Reason.UNKNOWN_HOST, "unknown host '" + name
          + "' (configured: " + String.join(", ", hosts.keySet()) + ")");
    }
    String problem = RemoteStaging.problem(path);
    if (problem != null) {
      throw new JobRefusedException(JobRefusedException.Reason.BAD_ARGUMENT, problem);
    }
    if (!host.allows(path)) {
      throw new JobRefusedException(JobRefusedException.Reason.NOT_ALLOWED, "remote path '" + path
          + "' is outside the roots allowed on " + name + " (" + String.join(", ", host.roots()) + ")");
    }
    return new Destination(host, path);
  }

  public List<JobRecord> list(JobState state) {
    return jobs.values().stream().map(Job::snapshot)
        .filter(r -> state == null || r.state() == state)
        .sorted(Comparator.comparing(JobRecord::created).thenComparing(JobRecord::id))
        .toList();
  }

  public Optional<JobRecord> find(String id) {
    Job job = jobs.get(id);
    return job == null ? Optional.empty() : Optional.of(job.snapshot());
  }

  /**
   * Cancels a job: a queued or waiting one ends at once; a running one has its connection closed and
   * ends (staging folder removed) within {@code wait}.
   */
  public JobRecord cancel(String id, Duration wait) throws JobRefusedException, InterruptedException {
    Job job = jobs.get(id);
    if (job == null) {
      throw new JobRefusedException(JobRefusedException.Reason.NOT_FOUND, "no job '" + id + "'");
    }
    synchronized (job) {
      JobState state = job.record().state();
      if (state.isFinal()) {
        throw new JobRefusedException(JobRefusedException.Reason.CONFLICT, "job " + id + " has already ended ("
            + state + ")");
      }
      job.cancelRequested = true;
      if (job.scheduled != null) {
        job.scheduled.cancel(false);
      }
      if (job.worker == null) {
        finish(job, JobState.CANCELLED, "cancelled");
        return job.snapshot();
      }
    }
    RemoteSession session = job.session.get();
    if (session != null) {
      session.close();
    }
    job.interruptAttempt();
    job.awaitFinal(wait);
    return job.snapshot();
  }

  /** Free space on the filesystem holding {@code path} on {@code host}, measured now. */
  public FreeSpace freeSpace(String hostAndPath) throws JobRefusedException, IOException {
    int colon = hostAndPath.indexOf(':');
    String name = colon <= 0 ? hostAndPath : hostAndPath.substring(0, colon);
    String path = colon <= 0 ? "/" : hostAndPath.substring(colon + 1);
    RemoteHost host = hosts.get(name);
    if (host == null) {
      throw new JobRefusedException(JobRefusedException.Reason.UNKNOWN_HOST, "unknown host '" + name
          + "' (configured: " + String.join(", ", hosts.keySet()) + ")");
    }
    if (!path.startsWith("/")) {
      throw new JobRefusedException(JobRefusedException.Reason.BAD_ARGUMENT, "remote path '" + path
          + "' must be absolute");
    }
    try (RemoteSession remote = connector.connect(host)) {
      return FreeSpaceGate.measure(remote, path);
    }
  }

  /** Runs on a worker: one attempt, then done, failed, queued for a retry, or waiting for a re-check. */
  private void execute(Job job) {
    synchronized (job) {
      if (job.cancelRequested || job.record().state().isFinal()) {
        return;
      }
      job.startAttempt(Thread.currentThread());
      job.scheduled = null;
    }
    int before = job.record().attempts();
    job.update(r -> r.withAttempt(before + 1, r.started()));
    try {
      JobRunner.Outcome outcome = runner.attempt(job, this::persist);
      job.endAttempt();
      if (outcome == JobRunner.Outcome.WAITING_FOR_SPACE) {
        job.update(r -> r.withAttempt(before, r.started()));
        persist(job);
        schedule(job, settings.freeSpaceRecheck());
        return;
      }
      job.update(r -> r.withError(null));
      finish(job, JobState.DONE, null);
      log.info("job {} done: {} -> {}", job.id(), job.record().spec().source(), job.record().spec().destination());
    } catch (Exception e) {
      job.endAttempt();
      if (closing) {
        log.info("job {} interrupted by shutdown; it stays {} and resumes at the next start", job.id(),
            job.record().state());
      } else if (job.cancelRequested) {
        runner.removeStaging(job.record());
        finish(job, JobState.CANCELLED, "cancelled");
        log.info("job {} cancelled", job.id());
      } else if (Failures.isTransient(e) && job.record().attempts() < settings.maxAttempts()) {
        int attempts = job.record().attempts();
        Duration backoff = settings.retryBackoff().multipliedBy(1L << Math.min(attempts - 1, 6));
        job.update(r -> r.withState(JobState.QUEUED).withError("attempt " + attempts + " failed, retry in "
            + backoff.toSeconds() + "s: " + Failures.describe(e)));
        persist(job);
        log.warn("job {} attempt {} failed, retrying in {}: {}", job.id(), attempts, backoff, Failures.describe(e));
        schedule(job, backoff);
      } else {
        runner.removeStaging(job.record());
        job.update(r -> r.withError(Failures.describe(e)));
        finish(job, JobState.FAILED, null);
        log.warn("job {} failed after {} attempt(s): {}", job.id(), job.record().attempts(), Failures.describe(e));
      }
    } finally {
      synchronized (job) {
        job.worker = null;
        // A cancel that came after this attempt scheduled its retry or re-check, but while the
        // worker was still set, cancelled the timer and left the ending to this worker.
        if (job.cancelRequested && !closing) {
          finish(job, JobState.CANCELLED, "cancelled");
        }
      }
      Thread.interrupted();
    }
  }

  private void schedule(Job job, Duration delay) {
    synchronized (job) {
      if (job.cancelRequested) {
        // Cancelled while this attempt was deciding to wait or retry.
        finish(job, JobState.CANCELLED, "cancelled");
        return;
      }
      job.scheduled = timer.schedule(() -> workers.execute(() -> execute(job)), delay.toMillis(),
          TimeUnit.MILLISECONDS);
    }
  }

  private void finish(Job job, JobState end, String error) {
    synchronized (job) {
      if (job.record().state().isFinal()) {
        return;
      }
      job.update(r -> (error == null ? r : r.withError(error)).withFinished(end, clock.instant().toString()));
    }
    persist(job);
  }

  private void persist(Job job) {
    try {
      jobStore.save(job.snapshot());
    } catch (IOException e) {
      log.error("job {}: cannot write its file in {}: {}", job.id(), jobStore.directory(), e.getMessage());
    }
  }

  /**
   * Stops the workers. Running jobs are interrupted and stay RUNNING in their files, so the next
   * start resumes them (after removing their partial files).
   */
  @Override
  public void close() {
    closing = true;
    timer.shutdownNow();
    workers.shutdownNow();
    for (Job job : jobs.values()) {
      RemoteSession session = job.session.get();
      if (session != null) {
        session.close();
      }
    }
    partPool.shutdownNow();
    try {
      workers.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static ThreadFactory threads(String name) {
    AtomicInteger count = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + count.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
