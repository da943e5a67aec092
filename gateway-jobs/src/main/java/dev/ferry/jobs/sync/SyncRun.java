package dev.ferry.jobs.sync;

import dev.ferry.core.event.Origin;
import dev.ferry.core.object.ObjectChange;
import dev.ferry.core.object.ObjectOperations;
import dev.ferry.core.path.FileGlobs;
import dev.ferry.core.s3.ObjectInfo;
import dev.ferry.core.s3.S3Location;
import dev.ferry.core.thread.DaemonThreads;
import dev.ferry.jobs.engine.Failures;
import dev.ferry.jobs.engine.JobException;
import dev.ferry.jobs.engine.RunningJob;
import dev.ferry.jobs.remote.RemoteConnector;
import dev.ferry.jobs.remote.RemoteException;
import dev.ferry.jobs.remote.RemoteHost;
import dev.ferry.jobs.remote.RemoteSession;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One attempt of one sync run: list the remote tree and the objects under the target, decide what
 * to copy (new or changed by size and time; a full run also by SHA-256), copy it with
 * {@code parallel} connections, then remove the sources of verified copies (deleteSource) and the
 * objects whose source is gone (mirror). A file's failure is retried and then counted without
 * stopping the run; a run with failed files ends FAILED, naming them. An attempt cut off (a lost
 * connection, a restart) is followed by another that lists again: what the first one committed is
 * unchanged by then and is not copied twice.
 */
final class SyncRun {

  private static final Logger log = LoggerFactory.getLogger(SyncRun.class);
  /** Tries per file within an attempt: a file that fails this often is counted as failed. */
  private static final int FILE_TRIES = 3;
  /** How often the attempt's thread looks for a cancel while the copies run. */
  private static final Duration CANCEL_POLL = Duration.ofMillis(200);
  /** Failed files named in the job's error; the log names them all. */
  private static final int FAILURES_NAMED = 5;

  private final SyncSpec spec;
  private final RunningJob job;
  private final RemoteHost host;
  private final RemoteConnector connector;
  private final ObjectOperations operations;
  private final Origin origin;
  private final FileCopy copier;
  private final Duration retryBackoff;
  private final Duration commandTimeout;
  private final Clock clock;
  private final FileGlobs filter;
  private final SyncCounts counts = new SyncCounts();
  private final List<String> failures = new ArrayList<>();
  /** The files copied in this attempt, each with the SHA-256 it was committed with, for deleteSource. */
  private final ConcurrentLinkedQueue<InS3> copiedFiles = new ConcurrentLinkedQueue<>();
  /** The copy workers' connections. */
  private final Set<RemoteSession> sessions = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private volatile String current;
  private volatile long lastShown;

  SyncRun(SyncSpec spec, RunningJob job, RemoteHost host, SyncServices services) {
    this.spec = spec;
    this.job = job;
    this.host = host;
    this.connector = services.connector();
    this.operations = services.objects();
    this.origin = Origin.of(Origin.Kind.SYNC, spec.name() != null ? spec.name() : spec.source());
    this.copier = new FileCopy(services.objects(), origin);
    this.retryBackoff = services.retryBackoff();
    this.commandTimeout = services.commandTimeout();
    this.clock = services.clock();
    this.filter = new FileGlobs(spec.include(), spec.exclude());
  }

  void run() throws IOException, InterruptedException {
    String purpose = "sync " + (spec.name() != null ? spec.name() : "run") + " (job " + job.record().id() + ")";
    try (RemoteSession lister = connector.connect(host)) {
      job.useSession(lister);
      RemoteTree.Listing listing = RemoteTree.walk(lister, spec.remoteDir(), spec.recursive(), spec.prefix(), filter);
      listing.skipped().forEach(s -> {
        counts.skipped.incrementAndGet();
        log.info("job {}: {}/{} skipped: {}", job.record().id(), spec.remoteDir(), s.relative(), s.reason());
      });
      listing.errors().forEach(e -> failed("listing", e));
      Map<String, SyncedObjects.Synced> objects = SyncedObjects.list(operations, spec);
      Plan plan = plan(listing, objects, lister);
      show(true);
      copyAll(plan.toCopy(), purpose);
      checkCancelled();
      if (spec.deleteSource()) {
        removeSources(lister, plan);
      }
      if (spec.mirror()) {
        mirror(listing, objects, purpose);
      }
      lister.markReusable();
    } finally {
      job.useSession(null);
      current = null;
      show(true);
    }
    if (!failures.isEmpty()) {
      throw JobException.permanent(counts.failed.get() + " of " + counts.seen.get() + " file(s) failed: "
          + String.join("; ", failures.subList(0, Math.min(FAILURES_NAMED, failures.size())))
          + (failures.size() > FAILURES_NAMED ? "; ... (the log names them all)" : ""));
    }
    log.info("job {}: sync {} -> {} ({}) done: {}", job.record().id(), spec.source(), spec.destination(),
        spec.runKind(), counts.asMap());
  }

  /**
   * What to copy, and what is already there as it is on the remote. {@code remoteSums}: the
   * unchanged files' SHA-256 on the remote, which a full run reads; empty when the run is not full
   * or the remote cannot give them.
   */
  private record Plan(List<RemoteTree.RemoteFile> toCopy, List<InS3> unchanged,
      Optional<Map<String, String>> remoteSums) {}

  /** A remote file whose object is in S3, with the SHA-256 the object has there (null: unknown). */
  private record InS3(RemoteTree.RemoteFile file, String sha256) {}

  private Plan plan(RemoteTree.Listing listing, Map<String, SyncedObjects.Synced> objects, RemoteSession remote)
      throws IOException {
    Instant youngest = clock.instant().minusSeconds(spec.minAgeSeconds());
    List<RemoteTree.RemoteFile> toCopy = new ArrayList<>();
    List<InS3> unchanged = new ArrayList<>();
    for (RemoteTree.RemoteFile file : listing.files()) {
      counts.seen.incrementAndGet();
      if (spec.minAgeSeconds() > 0 && file.modified().isAfter(youngest)) {
        counts.skipped.incrementAndGet();
        continue;
      }
      SyncedObjects.Synced object = objects.get(file.relative());
      Optional<String> difference = object == null ? Optional.of("no object") : object.difference(file);
      if (difference.isEmpty()) {
        unchanged.add(new InS3(file, object.facts().sha256()));
      } else {
        if (object != null) { // a new file is the common case; a changed one is worth a line
          log.info("job {}: {} is copied again: {}", job.record().id(), file.path(), difference.get());
        }
        toCopy.add(file);
      }
    }
    Optional<Map<String, String>> sums = Optional.empty();
    if (spec.full()) {
      sums = remoteSums(remote, unchanged.stream().map(u -> u.file().path()).toList());
      Map<String, String> remoteSums = sums.orElse(Map.of());
      List<InS3> verified = new ArrayList<>();
      for (InS3 u : unchanged) {
        String remoteSum = remoteSums.get(u.file().path());
        if (remoteSum != null && !remoteSum.equals(u.sha256())) {
          log.info("job {}: {} differs from its object by SHA-256 ({}): copied again", job.record().id(),
              u.file().path(), u.sha256() == null ? "the object has none recorded" : "object " + u.sha256());
          toCopy.add(u.file());
        } else {
          verified.add(u);
        }
      }
      unchanged = verified;
    }
    counts.unchanged.set(unchanged.size());
    toCopy.sort(java.util.Comparator.comparing(RemoteTree.RemoteFile::relative)); // a run's order is foreseeable
    long total = toCopy.stream().mapToLong(RemoteTree.RemoteFile::size).sum();
    job.update(r -> r.withSize(total));
    return new Plan(toCopy, unchanged, sums);
  }

  /** The SHA-256 of each of {@code paths} on the remote, or empty (logged) when it has no sha256sum -z. */
  private Optional<Map<String, String>> remoteSums(RemoteSession remote, List<String> paths) throws IOException {
    Optional<Map<String, String>> sums = RemoteChecksums.of(remote, paths, commandTimeout);
    if (sums.isEmpty()) {
      log.info("job {}: {} has no sha256sum -z: files are compared by size and time only", job.record().id(),
          host.name());
    }
    return sums;
  }

  /** Copies every file with {@code parallel} workers, each on its own connection, and waits for them. */
  private void copyAll(List<RemoteTree.RemoteFile> files, String purpose) throws IOException, InterruptedException {
    if (files.isEmpty()) {
      return;
    }
    ConcurrentLinkedQueue<RemoteTree.RemoteFile> queue = new ConcurrentLinkedQueue<>(files);
    int workers = Math.min(spec.parallel(), files.size());
    ExecutorService pool = Executors.newFixedThreadPool(workers, DaemonThreads.named("ferry-sync-copy"));
    List<Future<?>> running = new ArrayList<>();
    try {
      for (int i = 0; i < workers; i++) {
        running.add(pool.submit(() -> {
          copyFrom(queue, purpose);
          return null;
        }));
      }
      for (Future<?> worker : running) {
        awaitWorker(worker);
      }
    } finally {
      pool.shutdownNow();
      sessions.forEach(RemoteSession::close); // unblocks a worker stopped mid-read
      pool.awaitTermination(10, TimeUnit.SECONDS);
    }
    for (RemoteTree.RemoteFile file : new ArrayList<>(queue)) {
      failed(file.relative(), "not copied: the run stopped");
    }
  }

  private void awaitWorker(Future<?> worker) throws IOException, InterruptedException {
    while (true) {
      checkCancelled();
      try {
        worker.get(CANCEL_POLL.toMillis(), TimeUnit.MILLISECONDS);
        return;
      } catch (TimeoutException e) {
        show(false);
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof IOException io) {
          throw io;
        }
        throw new IOException(Failures.describe(cause), cause);
      }
    }
  }

  /**
   * One worker: takes files until none are left. A file's failure is retried on a new connection;
   * a connection that cannot be opened at all stops the attempt (the engine retries the run).
   */
  private void copyFrom(ConcurrentLinkedQueue<RemoteTree.RemoteFile> queue, String purpose) throws IOException,
      InterruptedException {
    RemoteSession remote = null;
    try {
      for (RemoteTree.RemoteFile file; (file = queue.poll()) != null; ) {
        for (int attempt = 1; ; attempt++) {
          if (remote == null) {
            remote = connect();
          }
          current = file.path();
          AtomicLong fileBytes = new AtomicLong();
          try {
            FileCopy.Copied copied = copier.copy(remote, file, target(file), purpose, n -> {
              fileBytes.addAndGet(n);
              counts.bytes.addAndGet(n);
              show(false);
            }, job);
            counts.copied.incrementAndGet();
            copiedFiles.add(new InS3(file, copied.sha256()));
            break;
          } catch (FileCopy.FileChanged e) {
            counts.skipped.incrementAndGet();
            log.info("job {}: {}", job.record().id(), e.getMessage());
            break;
          } catch (IOException e) {
            counts.bytes.addAndGet(-fileBytes.get()); // the next try starts the file again
            if (Thread.currentThread().isInterrupted() || job.cancelRequested()) {
              throw new InterruptedIOException("sync job " + job.record().id() + " stopped");
            }
            if (attempt >= FILE_TRIES || !worthRetrying(e)) {
              failed(file.relative(), Failures.describe(e));
              break;
            }
            log.info("job {}: copying {} failed (try {} of {}), again in {}: {}", job.record().id(), file.path(),
                attempt, FILE_TRIES, retryBackoff.multipliedBy(attempt), Failures.describe(e));
            remote = closed(remote);
            // Backoff: nothing tells a worker that the remote or S3 is back, so it waits before trying again.
            Thread.sleep(retryBackoff.multipliedBy(attempt).toMillis());
          }
        }
      }
      if (remote != null) {
        remote.markReusable();
      }
    } finally {
      closed(remote);
    }
  }

  private static boolean worthRetrying(IOException e) {
    return !(e instanceof RemoteException remote) || remote.kind() == RemoteException.Kind.CONNECTION
        || remote.kind() == RemoteException.Kind.FAILED;
  }

  /**
   * Removes each source whose object is verified: its size read back from S3 and, where the remote
   * has sha256sum, the remote file's SHA-256 equal to the object's. Anything unverified stays.
   */
  private void removeSources(RemoteSession remote, Plan plan) throws IOException {
    List<InS3> candidates = new ArrayList<>(plan.unchanged());
    candidates.addAll(copiedFiles);
    // The files copied now, and all of them unless a full run read the unchanged ones' already; a full
    // run that found no sha256sum asks no more.
    Map<String, String> remoteSums = new java.util.HashMap<>(plan.remoteSums().orElse(Map.of()));
    boolean sumsKnown = plan.remoteSums().isPresent();
    if (sumsKnown || !spec.full()) {
      Optional<Map<String, String>> more = remoteSums(remote, candidates.stream().map(c -> c.file().path())
          .filter(path -> !remoteSums.containsKey(path)).toList());
      sumsKnown = more.isPresent();
      more.ifPresent(remoteSums::putAll);
    }
    for (InS3 candidate : candidates) {
      checkCancelled();
      RemoteTree.RemoteFile file = candidate.file();
      Optional<ObjectInfo> object = ObjectOperations.await(operations.head(target(file)));
      String remoteSum = remoteSums.get(file.path());
      String problem = object.isEmpty() ? "its object is not in S3"
          : object.get().size() != file.size() ? "its object has " + object.get().size() + " bytes, the file "
              + file.size()
          : sumsKnown && (remoteSum == null || !remoteSum.equals(candidate.sha256()))
              ? "its SHA-256 (" + remoteSum + ") is not the object's (" + candidate.sha256() + ")" : null;
      if (problem != null) {
        log.warn("job {}: {} kept on {}: {}", job.record().id(), file.path(), host.name(), problem);
        continue;
      }
      remote.remove(file.path());
      counts.sourceDeleted.incrementAndGet();
    }
  }

  /** Deletes the objects whose source is gone, unless the listing missed a directory. */
  private void mirror(RemoteTree.Listing listing, Map<String, SyncedObjects.Synced> objects, String purpose)
      throws IOException {
    if (listing.incomplete()) {
      log.warn("job {}: mirror deletes nothing this run: part of {} could not be listed", job.record().id(),
          spec.source());
      return;
    }
    Set<String> present = new HashSet<>();
    listing.files().forEach(f -> present.add(f.relative()));
    listing.skipped().forEach(s -> present.add(s.relative()));
    for (String relative : objects.keySet()) {
      if (present.contains(relative) || !filter.takes(relative)) {
        continue;
      }
      checkCancelled();
      S3Location object = new S3Location(spec.bucket(), spec.prefix() + relative);
      try {
        operations.delete(object, ObjectChange.by(origin, purpose).checking(job::ensureHeld));
        counts.deleted.incrementAndGet();
        log.info("job {}: deleted {}: its source {}/{} is gone (mirror)", job.record().id(), object,
            spec.remoteDir(), relative);
      } catch (IOException e) {
        failed(relative, "could not delete its object: " + Failures.describe(e));
      }
    }
  }

  private S3Location target(RemoteTree.RemoteFile file) {
    return new S3Location(spec.bucket(), spec.prefix() + file.relative());
  }

  /** A copy worker's connection, closed with the others when the copies stop. */
  private RemoteSession connect() throws IOException {
    RemoteSession session = connector.connect(host);
    sessions.add(session);
    return session;
  }

  private RemoteSession closed(RemoteSession session) {
    if (session != null) {
      sessions.remove(session);
      session.close();
    }
    return null;
  }

  private synchronized void failed(String relative, String reason) {
    counts.failed.incrementAndGet();
    failures.add(relative + ": " + reason);
    log.warn("job {}: {} failed: {}", job.record().id(), relative, reason);
  }

  private void checkCancelled() throws InterruptedIOException {
    if (job.cancelRequested() || Thread.currentThread().isInterrupted()) {
      throw new InterruptedIOException("sync job " + job.record().id() + " stopped");
    }
  }

  /** Puts the counts into the job's record, at most twice a second unless {@code now}. */
  private void show(boolean now) {
    long at = System.nanoTime();
    if (!now && at - lastShown < 500_000_000L) {
      return;
    }
    lastShown = at;
    job.update(r -> r.withCounts(counts.asMap(), counts.bytes.get(), current));
  }
}
