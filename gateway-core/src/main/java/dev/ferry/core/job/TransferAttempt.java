package dev.ferry.core.job;

import dev.ferry.core.store.ObjectStore;
import dev.ferry.core.store.S3Location;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What one attempt of one job works with: the object (size and recorded SHA-256 as read at the
 * attempt's start), the remote session, the staging paths, and progress counters. Runs parts in
 * parallel, at most {@code channelsPerSession} at once.
 */
final class TransferAttempt {

  final String jobId;
  final TransferSpec spec;
  final S3Location source;
  final long size;
  final String sha256;
  final RemoteSession remote;
  final RemoteStaging staging;
  final ObjectStore store;
  final JobSettings settings;
  final AtomicLong bytesDone = new AtomicLong();
  final AtomicInteger partsDone = new AtomicInteger();
  private final ExecutorService partPool;

  TransferAttempt(String jobId, TransferSpec spec, long size, String sha256, RemoteSession remote, ObjectStore store,
      JobSettings settings, ExecutorService partPool) {
    this.jobId = jobId;
    this.spec = spec;
    this.source = new S3Location(spec.bucket(), spec.key());
    this.size = size;
    this.sha256 = sha256;
    this.remote = remote;
    this.staging = new RemoteStaging(spec.remotePath());
    this.store = store;
    this.settings = settings;
    this.partPool = partPool;
  }

  interface PartTask {
    void run(PartRange part) throws IOException, InterruptedException;
  }

  /** Runs every part, waits for all; the first failure cancels the rest and is thrown. */
  void runParts(List<PartRange> parts, PartTask task) throws IOException, InterruptedException {
    Semaphore channels = new Semaphore(settings.channelsPerSession());
    List<Future<Void>> futures = parts.stream().map(part -> partPool.<Void>submit(() -> {
      channels.acquire();
      try {
        task.run(part);
        partsDone.incrementAndGet();
        return null;
      } finally {
        channels.release();
      }
    })).toList();
    try {
      for (Future<Void> future : futures) {
        try {
          future.get();
        } catch (java.util.concurrent.ExecutionException e) {
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
      futures.forEach(f -> f.cancel(true));
    }
  }
}
