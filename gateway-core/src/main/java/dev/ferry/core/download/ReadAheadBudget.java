package dev.ferry.core.download;

import dev.ferry.core.s3.S3Location;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.ArrayDeque;

/**
 * The bytes all downloads together may hold in memory, fetched or in flight, counted range by
 * range at the range's real length (a 5-byte file holds 5 bytes, not a whole range). A download
 * takes read-ahead without waiting only when it already has a range to serve (read-ahead is a
 * bonus); a download with nothing to serve waits for its range, first come first served, and
 * read-ahead does not overtake such a waiter. Bytes come back as readers consume them or close,
 * but a client that stops reading holds its own until it goes or times out: the wait is bounded,
 * so that clients stalled together fail the next download with a reason instead of hanging it.
 */
final class ReadAheadBudget {

  private final long capacity;
  private final Duration wait;
  /** Guarded by this. */
  private long held;
  /** Downloads waiting for bytes, in arrival order; only the first may take. Guarded by this. */
  private final ArrayDeque<Object> waiting = new ArrayDeque<>();

  ReadAheadBudget(long capacity, Duration wait) {
    this.capacity = capacity;
    this.wait = wait;
  }

  synchronized boolean tryTake(long bytes) {
    if (!waiting.isEmpty() || held + bytes > capacity) {
      return false;
    }
    held += bytes;
    return true;
  }

  synchronized void take(long bytes, S3Location object) throws IOException {
    Object ticket = new Object();
    waiting.add(ticket);
    long deadline = System.nanoTime() + wait.toNanos();
    try {
      while (waiting.peek() != ticket || held + bytes > capacity) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new IOException(object + ": download stopped, the read-ahead memory of all downloads "
              + "(downloads.memoryBudget) stayed held by other downloads for " + wait.toSeconds() + " s");
        }
        wait(Math.max(1, left / 1_000_000));
      }
      held += bytes;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for download memory");
    } finally {
      waiting.remove(ticket);
      notifyAll();
    }
  }

  synchronized void give(long bytes) {
    if (bytes > 0) {
      held -= bytes;
      notifyAll();
    }
  }

  synchronized long heldBytes() {
    return held;
  }
}
