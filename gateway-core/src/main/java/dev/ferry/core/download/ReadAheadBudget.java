package dev.ferry.core.download;

import dev.ferry.core.store.S3Location;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * How many ranges all downloads together may hold in memory, fetched or in flight. A download
 * takes one range without waiting only when it already has one to serve (read-ahead is a bonus);
 * a download with nothing to serve waits for one, first come first served. Ranges come back as
 * readers consume them or close, but a client that stops reading holds its own until it goes or
 * times out: the wait is bounded, so that clients stalled together fail the next download with a
 * reason instead of hanging it.
 */
final class ReadAheadBudget {

  private final Semaphore ranges;
  private final Duration wait;

  ReadAheadBudget(int ranges, Duration wait) {
    this.ranges = new Semaphore(ranges, true);
    this.wait = wait;
  }

  boolean tryTake() {
    return ranges.tryAcquire();
  }

  void take(S3Location object) throws IOException {
    try {
      if (!ranges.tryAcquire(wait.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IOException(object + ": download stopped, the read-ahead memory of all downloads "
            + "(downloads.memoryBudget) stayed held by other downloads for " + wait.toSeconds() + " s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for download memory");
    }
  }

  void give(int count) {
    if (count > 0) {
      ranges.release(count);
    }
  }

  int available() {
    return ranges.availablePermits();
  }
}
