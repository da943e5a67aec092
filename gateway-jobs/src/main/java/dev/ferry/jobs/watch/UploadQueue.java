package dev.ferry.jobs.watch;

import dev.ferry.core.thread.DaemonThreads;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The files of one watched folder waiting for their upload, each at most once: a file offered again
 * while it waits stays one entry, and one offered while it is being uploaded (written and closed
 * again meanwhile) is uploaded once more afterwards. A failed upload is tried again after a backoff
 * that doubles up to {@link #MAX_BACKOFF}, for as long as the file is there; failures are logged
 * with the path and the reason and never stop the folder.
 */
final class UploadQueue implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(UploadQueue.class);
  /** An S3 outage of hours costs a retry every five minutes per waiting file, not a storm. */
  private static final Duration MAX_BACKOFF = Duration.ofMinutes(5);

  /** What the queue counted for one folder since it started. */
  record Counts(int waiting, long uploaded, long alreadyThere, long failedAttempts) {}

  /** A file waiting or being uploaded. Guarded by the queue. */
  private static final class Entry {
    boolean unlessThere;
    boolean running;
    /** Offered again while running: upload again afterwards, with {@link #againUnlessThere}. */
    boolean again;
    boolean againUnlessThere;
    int failures;

    Entry(boolean unlessThere) {
      this.unlessThere = unlessThere;
    }
  }

  private final WatchedFolder folder;
  private final FileUpload uploads;
  private final ScheduledThreadPoolExecutor workers;
  private final Map<Path, Entry> entries = new HashMap<>();
  private final AtomicLong uploaded = new AtomicLong();
  private final AtomicLong alreadyThere = new AtomicLong();
  private final AtomicLong failedAttempts = new AtomicLong();
  private boolean closed;

  UploadQueue(WatchedFolder folder, FileUpload uploads) {
    this.folder = folder;
    this.uploads = uploads;
    this.workers = new ScheduledThreadPoolExecutor(folder.parallel(),
        DaemonThreads.named("ferry-watch-" + folder.name()));
  }

  /**
   * Queues {@code file} for upload. {@code unlessThere}: found by a scan rather than announced by
   * its close, so it may have been uploaded by an earlier run (see {@link FileUpload#upload}).
   */
  synchronized void offer(Path file, boolean unlessThere) {
    if (closed) {
      return;
    }
    Entry entry = entries.get(file);
    if (entry == null) {
      entries.put(file, new Entry(unlessThere));
      workers.execute(() -> run(file));
    } else if (entry.running) {
      entry.againUnlessThere = entry.again ? entry.againUnlessThere && unlessThere : unlessThere;
      entry.again = true;
    } else {
      entry.unlessThere &= unlessThere;
    }
  }

  private void run(Path file) {
    boolean unlessThere;
    synchronized (this) {
      Entry entry = entries.get(file);
      if (closed || entry == null) {
        return;
      }
      entry.running = true;
      unlessThere = entry.unlessThere;
    }
    Duration retryIn = null;
    try {
      switch (uploads.upload(file, unlessThere)) {
        case UPLOADED -> uploaded.incrementAndGet();
        case ALREADY_THERE -> alreadyThere.incrementAndGet();
        default -> { }
      }
    } catch (IOException | RuntimeException e) {
      retryIn = failed(file, e);
    }
    synchronized (this) {
      Entry entry = entries.get(file);
      entry.running = false;
      if (closed) {
        entries.remove(file);
      } else if (retryIn != null) {
        // Retried, it checks first: the failure may have come after the commit (in the check before a delete).
        entry.unlessThere = !entry.again || entry.againUnlessThere;
        entry.again = false;
        workers.schedule(() -> run(file), retryIn.toMillis(), TimeUnit.MILLISECONDS);
      } else if (entry.again) {
        entry.again = false;
        entry.unlessThere = entry.againUnlessThere;
        entry.failures = 0;
        workers.execute(() -> run(file));
      } else {
        entries.remove(file);
      }
    }
  }

  /** Counts and logs a failed attempt; returns the wait before the next one, or null when stopping. */
  private Duration failed(Path file, Exception e) {
    synchronized (this) {
      if (closed) {
        log.info("watch {}: upload of {} stopped with Ferry; it is uploaded at the next start", folder.name(), file);
        return null;
      }
      int failures = ++entries.get(file).failures;
      failedAttempts.incrementAndGet();
      long millis = folder.retryBackoff().toMillis() << Math.min(failures - 1, 20);
      Duration wait = Duration.ofMillis(Math.min(millis, Math.max(MAX_BACKOFF.toMillis(),
          folder.retryBackoff().toMillis())));
      log.warn("watch {}: upload of {} failed (attempt {}), trying again in {} ms: {}", folder.name(), file, failures,
          wait.toMillis(), e.getMessage() == null ? e.toString() : e.getMessage());
      return wait;
    }
  }

  synchronized Counts counts() {
    return new Counts(entries.size(), uploaded.get(), alreadyThere.get(), failedAttempts.get());
  }

  /** Stops uploading: uploads in flight are aborted, waiting files stay for the next start. */
  @Override
  public void close() {
    synchronized (this) {
      closed = true;
    }
    uploads.close();
    workers.shutdownNow();
    try {
      if (!workers.awaitTermination(10, TimeUnit.SECONDS)) {
        log.warn("watch {}: uploads still stopping after 10 s", folder.name());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
