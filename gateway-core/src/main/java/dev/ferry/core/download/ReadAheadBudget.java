package dev.ferry.core.download;

import java.io.InterruptedIOException;
import java.util.concurrent.Semaphore;

/**
 * How many ranges all downloads together may hold in memory, fetched or in flight. A download
 * takes one range without waiting only when it already has one to serve (read-ahead is a bonus);
 * a download with nothing to serve waits for one, which is fair and always ends, because every
 * range held is given back as its reader consumes it or closes.
 */
final class ReadAheadBudget {

  private final Semaphore ranges;

  ReadAheadBudget(int ranges) {
    this.ranges = new Semaphore(ranges, true);
  }

  boolean tryTake() {
    return ranges.tryAcquire();
  }

  void take() throws InterruptedIOException {
    try {
      ranges.acquire();
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
