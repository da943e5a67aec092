package dev.ferry.jobs.transfer;

import dev.ferry.core.event.EventBus;
import dev.ferry.core.object.ObjectOperations;
import dev.ferry.core.s3.ObjectInfo;
import dev.ferry.core.s3.S3Location;
import dev.ferry.core.s3.StoreException;
import dev.ferry.core.state.Nodes;
import dev.ferry.core.state.StateStore;
import dev.ferry.core.state.StateStoreException;
import dev.ferry.core.thread.DaemonThreads;
import dev.ferry.jobs.remote.FreeSpace;
import dev.ferry.jobs.remote.RemoteConnector;
import dev.ferry.jobs.remote.RemoteHost;
import dev.ferry.jobs.remote.RemoteSession;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transfer jobs: created from requests (validated before anything is stored), kept in the state
 * store, and run by whichever node claims them: each node's dispatcher claims due jobs while it has
 * a free worker ({@code jobs.workers}), its heartbeat saves the progress of the jobs it holds and
 * learns of cancels asked on other nodes, and a job whose node stops heartbeating is claimed by
 * another and starts over. Failures that may pass are retried with backoff (the job is released,
 * due again later, for any node); a job waiting for space is released and re-checked the same way.
 */
public final class Jobs implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Jobs.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  /** How long a node retries a job's final write while the store is away before it gives the job up to the lease. */
  private static final Duration STORE_RETRY = Duration.ofSeconds(1);
  private static final int STORE_RETRIES_WHEN_CLOSING = 3;
  /** How often a cancel of a job another node runs looks whether that node has ended it. */
  private static final Duration CANCEL_POLL = Duration.ofMillis(100);

  private final JobSettings settings;
  private final ObjectOperations objects;
  private final Map<String, RemoteHost> hosts = new LinkedHashMap<>();
  private final RemoteConnector connector;
  private final Clock clock;
  private final JobStore jobStore;
  private final Nodes nodes;
  private final boolean sharedStore;
  /** The jobs this node holds a claim on, by id. */
  private final Map<String, Job> held = new ConcurrentHashMap<>();
  private final ExecutorService workers;
  private final Semaphore idleWorkers;
  private final ExecutorService partPool;
  /** Heartbeats of the held jobs, and wake-ups of the dispatcher when a released job falls due. */
  private final ScheduledExecutorService timer;
  private final Thread dispatcher;
  private final Object dispatch = new Object();
  private boolean dispatchWanted;
  private final JobRunner runner;
  private final JobCheckpoints checkpoints = new Checkpoints();
  /** Each kind of job besides transfers (its name and work), by spec type. */
  private final Map<Class<? extends JobSpec>, JobKind> kinds = new LinkedHashMap<>();
  private volatile boolean closing;
  private final EventBus events;

  /** Transfer jobs alone, their events published to no one (tests of the engine). */
  public Jobs(JobSettings settings, ObjectOperations objects, StateStore state, List<RemoteHost> remotes,
      RemoteConnector connector, Clock clock) {
    this(settings, objects, state, remotes, connector, clock, List.of(), new EventBus(clock));
  }

  /** Each job's new state (queued, claimed, waiting, verifying, retried, ended) is published to {@code events}. */
  public Jobs(JobSettings settings, ObjectOperations objects, StateStore state, List<RemoteHost> remotes,
      RemoteConnector connector, Clock clock, List<JobKind> otherKinds, EventBus events) {
    this.settings = settings;
    this.events = events;
    this.objects = objects;
    remotes.forEach(h -> hosts.put(h.name(), h));
    this.connector = connector;
    this.clock = clock;
    otherKinds.forEach(kind -> kinds.put(kind.spec(), kind));
    this.jobStore = new JobStore(state.database(), otherKinds);
    this.nodes = state.nodes();
    this.sharedStore = state.shared();
    this.workers = Executors.newFixedThreadPool(settings.workers(), DaemonThreads.named("ferry-job"));
    this.idleWorkers = new Semaphore(settings.workers());
    this.partPool = Executors.newCachedThreadPool(DaemonThreads.named("ferry-job-part"));
    this.timer = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("ferry-job-timer"));
    this.dispatcher = DaemonThreads.named("ferry-job-dispatch").newThread(this::dispatch);
    this.runner = new JobRunner(objects, connector, hosts, settings, partPool, clock);
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
        log.info("{} transfer job(s) had not ended when Ferry stopped: they start over", freed);
      }
    }
    long beat = Math.max(100, Math.min(1000, nodes.lease().toMillis() / 3));
    timer.scheduleWithFixedDelay(this::heartbeat, beat, beat, TimeUnit.MILLISECONDS);
    timer.scheduleWithFixedDelay(new JobRetention(jobStore, nodes, settings.retention(), clock), 0,
        JobRetention.EVERY.toMillis(), TimeUnit.MILLISECONDS);
    dispatcher.start();
  }

  public List<RemoteHost> hosts() {
    return List.copyOf(hosts.values());
  }

  public JobSettings settings() {
    return settings;
  }

  /** Validates the request (host, path, parts, threshold, object) and queues a job; nothing is stored if refused. */
  public JobRecord submit(TransferRequest request) throws JobRefusedException, IOException {
    return submit(request, null).orElseThrow();
  }

  /**
   * As {@link #submit(TransferRequest)}, as a run of {@code runOf} (null: of nothing): when a run of
   * it is unfinished already, on any node, nothing is queued and the answer is empty.
   */
  public Optional<JobRecord> submit(TransferRequest request, String runOf) throws JobRefusedException, IOException {
    S3Location object = S3Location.parseObject(request.source()).orElseThrow(() -> new JobRefusedException(
        JobRefusedException.Reason.BAD_ARGUMENT, "source '" + request.source() + "' must be s3://bucket/key or bucket/key"));
    Destination destination = destination(request.destination());
    int parts = parts(request.parts());
    double threshold = threshold(request.freeSpacePercent());
    Optional<ObjectInfo> info = refusedAsJobRefusal(() -> ObjectOperations.await(objects.head(object)));
    if (info.isEmpty()) {
      throw new JobRefusedException(JobRefusedException.Reason.NOT_FOUND, "no such object " + object);
    }
    JobRecord record = queued(object, info.get().size(), destination, parts, threshold, request, runOf);
    if (runOf == null) {
      jobStore.insert(record, clock.millis());
    } else if (!jobStore.insertUnlessRunning(record, clock.millis())) {
      return Optional.empty();
    }
    stateChanged(record);
    log.info("job {} queued: {} -> {} ({} bytes, {} parts, {}, free space {})", record.id(), record.spec().source(),
        record.spec().destination(), record.size(), parts, record.transfer().mode(),
        threshold > 0 ? "> " + threshold + "%" : "not checked");
    wakeDispatcher();
    return Optional.of(record);
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
    JobRecord record = queued(spec, 0);
    if (!jobStore.insertUnlessRunning(record, clock.millis())) {
      return Optional.empty();
    }
    stateChanged(record);
    log.info("job {} queued: {} -> {}", record.id(), spec.source(), spec.destination());
    wakeDispatcher();
    return Optional.of(record);
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

  /**
   * One transfer per object under {@code prefix} to the same relative path under {@code remoteDir},
   * each its own job (the workers bound how many run at once). The host, the options and every
   * destination are checked before any job is stored, and all are stored at once: a refused push
   * creates none. The listing gives each object's size, so no object is asked about again.
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
    host(dir.indexOf(':') <= 0 ? dir : dir.substring(0, dir.indexOf(':')));
    int partCount = parts(parts);
    double threshold = threshold(freeSpacePercent);
    List<ObjectInfo> listed = new java.util.ArrayList<>();
    String[] token = {null};
    do {
      dev.ferry.core.s3.ListPage page = refusedAsJobRefusal(() -> ObjectOperations.await(
          objects.listPage(new S3Location(bucket, keyPrefix), null, token[0], 1000)));
      page.objects().stream().filter(o -> !o.key().endsWith("/")).forEach(listed::add);
      token[0] = page.nextToken();
    } while (token[0] != null);
    if (listed.isEmpty()) {
      throw new JobRefusedException(JobRefusedException.Reason.NOT_FOUND, "no objects under s3://" + bucket + "/"
          + keyPrefix);
    }
    List<JobRecord> created = new java.util.ArrayList<>();
    for (ObjectInfo object : listed) {
      String relative = object.key().substring(keyPrefix.length());
      if (relative.startsWith("/")) {
        relative = relative.substring(1);
      }
      String destination = dir + "/" + relative;
      created.add(queued(new S3Location(bucket, object.key()), object.size(), destination(destination), partCount,
          threshold, new TransferRequest("s3://" + bucket + "/" + object.key(), destination, parts, freeSpacePercent,
              mode, overwrite), null));
    }
    jobStore.insertAll(created, clock.millis());
    created.forEach(this::stateChanged);
    log.info("push of s3://{}/{} to {}: {} jobs queued ({} parts each, {})", bucket, keyPrefix, dir, created.size(),
        partCount, mode == null ? TransferMode.DIRECT : mode);
    wakeDispatcher();
    return created;
  }

  private JobRecord queued(S3Location object, long size, Destination destination, int parts, double threshold,
      TransferRequest request, String runOf) {
    TransferSpec spec = new TransferSpec(object.bucket(), object.key(), destination.host().name(),
        destination.path(), parts, threshold, request.mode() == null ? TransferMode.DIRECT : request.mode(),
        request.overwrite(), runOf);
    return queued(spec, size);
  }

  /** A new job with a fresh id, queued now. */
  private JobRecord queued(JobSpec spec, long size) {
    return new JobRecord(HexFormat.of().formatHex(randomId()), spec, JobState.QUEUED, size, 0, 0, 0, 0, null,
        clock.instant().toString(), null, null, null, null, null);
  }

  private int parts(Integer requested) throws JobRefusedException {
    int parts = requested == null ? settings.defaultParts() : requested;
    if (parts < 1 || parts > settings.maxParts()) {
      throw new JobRefusedException(JobRefusedException.Reason.BAD_ARGUMENT, "--parts must be between 1 and "
          + settings.maxParts() + ", got " + parts);
    }
    return parts;
  }

  private double threshold(Double requested) throws JobRefusedException {
    double threshold = requested == null ? settings.defaultFreeSpacePercent() : requested;
    if (threshold < 0 || threshold > 100 || Double.isNaN(threshold)) {
      throw new JobRefusedException(JobRefusedException.Reason.BAD_ARGUMENT, "--free-space must be a percentage"
          + " between 0 and 100, got " + threshold);
    }
    return threshold;
  }

  private interface StoreCall<T> {
    T call() throws IOException;
  }

  /** An object or bucket S3 says is missing or not Ferry's to read refuses the request instead of failing it. */
  private static <T> T refusedAsJobRefusal(StoreCall<T> call) throws JobRefusedException, IOException {
    try {
      return call.call();
    } catch (StoreException e) {
      switch (e.kind()) {
        case ACCESS_DENIED -> throw new JobRefusedException(JobRefusedException.Reason.NOT_ALLOWED, e.getMessage());
        case NOT_FOUND, REJECTED -> throw new JobRefusedException(JobRefusedException.Reason.NOT_FOUND, e.getMessage());
        default -> throw e;
      }
    }
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
    RemoteHost host = host(text.substring(0, colon));
    String path = text.substring(colon + 1);
    String problem = RemoteStaging.problem(path);
    if (problem != null) {
      throw new JobRefusedException(JobRefusedException.Reason.BAD_ARGUMENT, problem);
    }
    if (!host.allows(path)) {
      throw new JobRefusedException(JobRefusedException.Reason.NOT_ALLOWED, "remote path '" + path
          + "' is outside the roots allowed on " + host.name() + " (" + String.join(", ", host.roots()) + ")");
    }
    return new Destination(host, path);
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
   * Cancels a job: one that no live node runs ends at once (its staging folder removed); a running
   * one has its connection closed by the node running it, this one or another, and ends within
   * {@code wait}.
   */
  public JobRecord cancel(String id, Duration wait) throws JobRefusedException, IOException, InterruptedException {
    Job local = held.get(id);
    if (local != null && markCancelled(local)) {
      stopAttempt(local);
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
        runner.removeAllStaging(request.record());
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

  /** Flags a job this node holds as cancelled, unless its claim was already given up. */
  private static boolean markCancelled(Job job) {
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

  private static void stopAttempt(Job job) {
    RemoteSession session = job.session.get();
    if (session != null) {
      session.close();
    }
    job.interruptAttempt();
  }

  private RemoteHost host(String name) throws JobRefusedException {
    RemoteHost host = hosts.get(name);
    if (host == null) {
      throw new JobRefusedException(JobRefusedException.Reason.UNKNOWN_HOST, "unknown host '" + name
          + "' (configured: " + String.join(", ", hosts.keySet()) + ")");
    }
    return host;
  }

  /** Free space on the filesystem holding {@code path} on {@code host}, measured now. */
  public FreeSpace freeSpace(String hostAndPath) throws JobRefusedException, IOException {
    int colon = hostAndPath.indexOf(':');
    RemoteHost host = host(colon <= 0 ? hostAndPath : hostAndPath.substring(0, colon));
    String path = colon <= 0 ? "/" : hostAndPath.substring(colon + 1);
    if (!path.startsWith("/")) {
      throw new JobRefusedException(JobRefusedException.Reason.BAD_ARGUMENT, "remote path '" + path
          + "' must be absolute");
    }
    try (RemoteSession remote = connector.connect(host)) {
      return FreeSpaceGate.measure(remote, path);
    }
  }

  /** Claims due jobs while a worker is idle, and waits for a submit, a due job or the poll interval otherwise. */
  /** A job's new state, as an event: its kind is the name its spec is stored under ("transfer", "sync"). */
  private void stateChanged(JobRecord record) {
    JobKind kind = kinds.get(record.spec().getClass());
    events.job(record.id(), kind == null ? "transfer" : kind.name(), record.state().name(), record.lastError(),
        record.bytesDone());
  }

  private void dispatch() {
    while (!closing) {
      try {
        idleWorkers.acquire();
      } catch (InterruptedException e) {
        return;
      }
      Optional<JobStore.Claimed> claimed = Optional.empty();
      try {
        claimed = jobStore.claimNext(nodes.selfId(), nodes.name(), nodes.aliveSince(), clock.millis());
      } catch (StateStoreException | RuntimeException e) {
        log.warn("claiming transfer jobs failed: {}", e.getMessage());
      }
      if (claimed.isEmpty() || closing) {
        idleWorkers.release();
        if (!awaitDispatch(settings.pollInterval())) {
          return;
        }
        continue;
      }
      JobStore.Claimed claim = claimed.get();
      Job job = new Job(claim.record(), claim.claim(), this::stateChanged);
      held.put(job.id(), job);
      if (claim.previousOwner() != null) {
        log.info("job {} ({} -> {}) taken over from a node that stopped or went silent past its lease: it starts over",
            job.id(), claim.record().spec().source(), claim.record().spec().destination());
      }
      log.info("job {} claimed (claim {}), {} ms after it fell due", job.id(), claim.claim(),
          Math.max(0, clock.millis() - claim.dueAt()));
      try {
        workers.execute(() -> {
          try {
            if (claim.cancelRequested()) {
              endCancelledAtClaim(job);
            } else {
              execute(job);
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

  private void wakeDispatcher() {
    synchronized (dispatch) {
      dispatchWanted = true;
      dispatch.notifyAll();
    }
  }

  /** A cancel asked for while the job's owner was alive, which then died before acting on it. */
  private void endCancelledAtClaim(Job job) {
    runner.removeAllStaging(job.record());
    finish(job, JobState.CANCELLED, "cancelled");
    log.info("job {} cancelled", job.id());
  }

  /** Ends a job this node runs as cancelled, once its attempt has stopped: this claim's staging goes first. */
  private void endCancelled(Job job) {
    runner.removeStaging(job);
    finish(job, JobState.CANCELLED, "cancelled");
    log.info("job {} cancelled", job.id());
  }

  /** Runs on a worker: one attempt, then done, failed, released for a retry or a re-check, or given up. */
  private void execute(Job job) {
    synchronized (job) {
      job.startAttempt(Thread.currentThread());
    }
    int before = job.record().attempts();
    job.update(r -> r.withAttempt(before + 1, r.started()));
    try {
      JobKind kind = kinds.get(job.record().spec().getClass());
      JobRunner.Outcome outcome;
      if (kind == null) {
        outcome = runner.attempt(job, checkpoints);
      } else {
        String now = clock.instant().toString();
        // RUNNING as a transfer is once it has started: before this, a running sync was listed as QUEUED.
        job.update(r -> r.withRunning(r.size(), r.partsTotal(), r.started() != null ? r.started() : now));
        try {
          kind.work().run(new Running(job));
          outcome = JobRunner.Outcome.DONE;
        } catch (JobRecheck waiting) {
          job.endAttempt();
          job.update(r -> r.withAttempt(before, r.started()).withState(JobState.QUEUED).withError(waiting.getMessage()));
          release(job, waiting.after());
          return;
        }
      }
      job.endAttempt();
      if (outcome == JobRunner.Outcome.WAITING_FOR_SPACE) {
        job.update(r -> r.withAttempt(before, r.started()));
        release(job, settings.freeSpaceRecheck());
        return;
      }
      job.update(r -> r.withError(null));
      finish(job, JobState.DONE, null);
      if (!job.lost) {
        log.info("job {} done: {} -> {}", job.id(), job.record().spec().source(), job.record().spec().destination());
      }
    } catch (Exception e) {
      job.endAttempt();
      if (job.lost) {
        runner.removeStaging(job);
        log.warn("job {}: another node claimed it while this node was silent past its lease; this node's attempt"
            + " stopped and committed nothing ({})", job.id(), Failures.describe(e));
      } else if (closing) {
        release(job, Duration.ZERO);
        log.info("job {} interrupted by shutdown; it stays {} and starts over on the next node to claim it", job.id(),
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
        runner.removeStaging(job);
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
  private void release(Job job, Duration delay) {
    boolean cancelled;
    job.writes.lock();
    try {
      cancelled = job.cancelRequested && !closing;
      if (!cancelled) {
        long due = clock.millis() + delay.toMillis();
        // Released once the store has it: until then find() shows this node's record, not the stored one.
        try {
          storeUntilWritten(job, "releasing", () -> jobStore.release(job.snapshot(), nodes.selfId(), job.claim, due));
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
    if (delay.isZero()) {
      wakeDispatcher();
    } else if (!closing) {
      timer.schedule(this::wakeDispatcher, delay.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /** Ends the job in {@code end} and gives up its claim; a final state is never claimed again. */
  private void finish(Job job, JobState end, String error) {
    job.writes.lock();
    try {
      job.update(r -> (error == null ? r : r.withError(error)).withFinished(end, clock.instant().toString()));
      storeUntilWritten(job, "ending", () -> jobStore.release(job.snapshot(), nodes.selfId(), job.claim,
          clock.millis()));
    } finally {
      job.released = true;
      job.writes.unlock();
    }
  }

  private interface ClaimedWrite {
    boolean write() throws StateStoreException;
  }

  /**
   * A job's release or end must reach the store, or no node would run it again until this one
   * dies: it is retried while the store is away (a few times when Ferry is stopping, after which
   * the job waits for this node's lease to lapse).
   */
  private void storeUntilWritten(Job job, String what, ClaimedWrite write) {
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
  private void heartbeat() {
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
  private boolean save(Job job, boolean waitForTurn) throws StateStoreException {
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
      saved = jobStore.save(job.snapshot(), nodes.selfId(), job.claim);
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

  /** What attempts call at their steps: saves, and the claim check before the rename into place. */
  private final class Checkpoints implements JobCheckpoints {
    @Override
    public void save(Job job) throws IOException {
      boolean held;
      try {
        held = Jobs.this.save(job, true);
      } catch (StateStoreException e) {
        log.warn("job {}: could not save its state ({}); the next heartbeat tries again", job.id(), e.getMessage());
        return;
      }
      if (!held) {
        throw lostClaim(job);
      }
    }

    @Override
    public void ensureHeld(Job job) throws IOException {
      if (!job.lost && !jobStore.holds(job.id(), nodes.selfId(), job.claim)) {
        job.lost = true;
      }
      if (job.lost || !nodes.holdsItsLease()) {
        throw lostClaim(job);
      }
    }

    private IOException lostClaim(Job job) {
      return JobException.retryable("job " + job.id() + ": this node no longer holds it (silent for longer than its"
          + " lease of " + nodes.lease() + "; another node may have claimed it); nothing was put in place");
    }
  }

  /** A job of a registered kind as its work sees it: the job, this node's claim on it, the checkpoints. */
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
    public void update(java.util.function.UnaryOperator<JobRecord> change) {
      job.update(change);
    }

    @Override
    public boolean retriesAfter(Throwable failure) {
      return Jobs.this.retriesAfter(job, failure);
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
    public void save() throws IOException {
      checkpoints.save(job);
    }

    @Override
    public void ensureHeld() throws IOException {
      checkpoints.ensureHeld(job);
    }
  }

  /**
   * Stops claiming and stops the attempts running here: their jobs are released as they are (a
   * running one stays RUNNING) and start over on the next node that claims them, this one at its
   * next start.
   */
  @Override
  public void close() {
    closing = true;
    dispatcher.interrupt();
    timer.shutdownNow();
    for (Job job : held.values()) {
      stopAttempt(job);
    }
    workers.shutdown();
    try {
      if (!workers.awaitTermination(20, TimeUnit.SECONDS)) {
        log.warn("transfer jobs still stopping after 20 s: {}", held.keySet());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    workers.shutdownNow();
    partPool.shutdownNow();
  }

}
