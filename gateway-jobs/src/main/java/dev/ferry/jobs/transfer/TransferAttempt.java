package dev.ferry.jobs.transfer;

import dev.ferry.core.object.ObjectOperations;
import dev.ferry.core.s3.ObjectInfo;
import dev.ferry.core.s3.S3Location;
import dev.ferry.jobs.engine.Failures;
import dev.ferry.jobs.engine.JobException;
import dev.ferry.jobs.engine.JobSettings;
import dev.ferry.jobs.remote.RemoteSession;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What one attempt of one job works with: the object (size, ETag and recorded SHA-256 as read at
 * the attempt's start), the remote session, the staging paths, the parts verified on the remote so
 * far (kept from earlier attempts or fetched by this one), and progress counters. Runs parts in
 * parallel, as many at once as the job asks within {@code channelsPerSession}, started in index
 * order, and hands each that lands to the remote's hash of the file where one follows it.
 */
final class TransferAttempt {

  final String jobId;
  final TransferSpec spec;
  final S3Location source;
  final long size;
  /** Every read of the object is pinned to this version: an overwrite mid-transfer fails the attempt. */
  final String etag;
  final String sha256;
  final RemoteSession remote;
  final RemoteStaging staging;
  final ObjectOperations objects;
  final JobSettings settings;
  final PartLedger ledger;
  final AtomicLong bytesDone = new AtomicLong();
  final AtomicInteger partsDone = new AtomicInteger();
  private final ExecutorService partPool;
  /** The remote's hash of the file as its parts land, or null (the file is read whole after the fetch). */
  private volatile FollowingHash following;

  /** {@code sha256}: the object's, from the catalog or its metadata; null when Ferry does not know it. */
  TransferAttempt(String jobId, TransferSpec spec, ObjectInfo object, String sha256, RemoteSession remote,
      RemoteStaging staging, ObjectOperations objects, JobSettings settings, PartLedger ledger,
      ExecutorService partPool) {
    this.jobId = jobId;
    this.spec = spec;
    this.source = new S3Location(spec.bucket(), spec.key());
    this.size = object.size();
    this.etag = object.etag();
    this.sha256 = sha256;
    this.remote = remote;
    this.staging = staging;
    this.objects = objects;
    this.settings = settings;
    this.ledger = ledger;
    this.partPool = partPool;
  }

  /**
   * From now on each part that lands is handed to {@code hash}; the kept ones already are. It takes
   * one of the session's channels, so one part fewer runs at once when the session has no channel
   * to spare.
   */
  void follow(FollowingHash hash) {
    following = hash;
    ledger.kept().forEach(part -> hash.landed(part.index()));
  }

  /** The remote's hash of the whole file, taken as its parts landed, or null: then the file is read whole. */
  String followedSha256() {
    FollowingHash hash = following;
    return hash == null ? null : hash.finish(settings.commandTimeout());
  }

  /** How many parts run at once: what the job asked for, within the session's channels. */
  int partsAtOnce() {
    int channels = settings.channelsPerSession() - (following == null ? 0 : 1);
    return Math.max(1, Math.min(spec.parts(), channels));
  }

  /** The parts of {@code all} whose bytes are not on the remote yet: the ones this attempt fetches. */
  List<PartRange> toFetch(List<PartRange> all) {
    return all.stream().filter(part -> !ledger.has(part.index())).toList();
  }

  /** {@code part} is on the remote, verified: a later attempt may keep it. */
  void keep(KeptParts.Part part) throws IOException {
    ledger.add(part);
  }

  /**
   * Fails unless this node may still write the job's bytes: checked before each write that would
   * otherwise go on after a freeze past the lease, into a folder a newer claim may have adopted.
   */
  void ensureHoldsClaim() throws JobException {
    if (!ledger.holdsClaim()) {
      throw JobException.retryable("job " + jobId + ": this node's claim is lost or unconfirmed within its lease;"
          + " it writes nothing more to " + spec.destination());
    }
  }

  interface PartTask {
    void run(PartRange part) throws IOException, InterruptedException;
  }

  /**
   * Runs every part, waits for all; the first failure cancels the rest and is thrown. At most
   * {@link #partsAtOnce} workers each take the next part in index order, so parts start in order
   * and land in about that order (the file fills from the front, the remote's hash follows it, and
   * progress reads as the file's). It returns
   * only when no part task runs any more: the caller may remove the staging folder next, and a
   * part still writing would put files back into it.
   */
  void runParts(List<PartRange> parts, PartTask task) throws IOException, InterruptedException {
    AtomicInteger next = new AtomicInteger();
    PartTasks running = new PartTasks();
    int workers = Math.min(partsAtOnce(), parts.size());
    CompletionService<Void> finished = new ExecutorCompletionService<>(partPool);
    List<Future<Void>> futures = new ArrayList<>();
    for (int w = 0; w < workers; w++) {
      futures.add(finished.submit(() -> {
        for (int index = next.getAndIncrement(); index < parts.size(); index = next.getAndIncrement()) {
          if (!running.enter()) {
            return null;
          }
          try {
            PartRange part = parts.get(index);
            task.run(part);
            partsDone.incrementAndGet();
            FollowingHash hash = following;
            if (hash != null) {
              hash.landed(part.index());
            }
          } finally {
            running.exit();
          }
        }
        return null;
      }));
    }
    try {
      for (int w = 0; w < workers; w++) {
        try {
          finished.take().get();
        } catch (ExecutionException e) {
          Throwable cause = e.getCause();
          if (cause instanceof IOException io) {
            throw io;
          }
          if (cause instanceof InterruptedException interrupted) {
            throw interrupted;
          }
          throw new IOException("part failed: " + Failures.describe(cause), cause);
        }
      }
    } finally {
      running.stop();
      futures.forEach(f -> f.cancel(true));
      running.awaitNone(PART_STOP_WAIT);
    }
  }

  /** Bounds the wait for cancelled part tasks that do not react to their interrupt. */
  private static final java.time.Duration PART_STOP_WAIT = java.time.Duration.ofSeconds(30);

  /** Counts the part tasks that run; once stopped, tasks not yet started do not start. */
  private static final class PartTasks {
    private int running;
    private boolean stopped;

    synchronized boolean enter() {
      if (stopped) {
        return false;
      }
      running++;
      return true;
    }

    synchronized void exit() {
      running--;
      notifyAll();
    }

    synchronized void stop() {
      stopped = true;
    }

    /** Waits, ignoring interrupts until done (they are kept), for running tasks to end. */
    synchronized void awaitNone(java.time.Duration limit) {
      boolean interrupted = Thread.interrupted();
      long deadline = System.nanoTime() + limit.toNanos();
      try {
        while (running > 0) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            return;
          }
          try {
            java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(this, left);
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
  }
}
