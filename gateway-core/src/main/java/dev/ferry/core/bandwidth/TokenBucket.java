package dev.ferry.core.bandwidth;

import java.io.InterruptedIOException;
import java.util.function.LongSupplier;

/**
 * A rate in bytes per second shared by whoever takes from it, with a burst of a tenth of a second
 * (at least 64 KiB). A take that finds the bucket short leaves it in debt and waits the debt out,
 * outside the lock: the next taker sees the debt and waits its turn behind it, so takers sharing a
 * bucket get about equal shares and the sum keeps to the rate; no wait is per byte.
 */
public final class TokenBucket implements Throttle {

  /** How a taker waits; the tests' doesn't. */
  @FunctionalInterface
  public interface Sleeper {
    void sleepNanos(long nanos) throws InterruptedException;
  }

  private static final long MIN_BURST = 64 * 1024;
  private static final double NANOS_PER_SECOND = 1e9;

  private final long bytesPerSecond;
  private final long burst;
  private final LongSupplier nanoTime;
  private final Sleeper sleeper;
  /** Bytes that may go now; negative: the debt takers are waiting out. */
  private double available;
  private long refilledAt;

  public TokenBucket(long bytesPerSecond) {
    // A sleep, not a wait on a condition: nothing happens at the end of the debt but time passing,
    // and the taker is a session's own thread (never an event loop), whose waiting is the backpressure.
    this(bytesPerSecond, System::nanoTime, nanos -> Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000)));
  }

  public TokenBucket(long bytesPerSecond, LongSupplier nanoTime, Sleeper sleeper) {
    if (bytesPerSecond <= 0) {
      throw new IllegalArgumentException("a rate must be more than 0 bytes per second, got " + bytesPerSecond);
    }
    this.bytesPerSecond = bytesPerSecond;
    this.burst = Math.max(MIN_BURST, bytesPerSecond / 10);
    this.nanoTime = nanoTime;
    this.sleeper = sleeper;
    this.available = burst;
    this.refilledAt = nanoTime.getAsLong();
  }

  public long bytesPerSecond() {
    return bytesPerSecond;
  }

  @Override
  public void pass(int bytes) throws InterruptedIOException {
    long wait = take(bytes);
    if (wait <= 0) {
      return;
    }
    try {
      sleeper.sleepNanos(wait);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while the bandwidth limit held " + bytes + " bytes back");
    }
  }

  /** Takes {@code bytes}; returns how many nanoseconds the taker must wait before they may go. */
  synchronized long take(long bytes) {
    long now = nanoTime.getAsLong();
    available = Math.min(burst, available + (now - refilledAt) * (bytesPerSecond / NANOS_PER_SECOND));
    refilledAt = now;
    available -= bytes;
    return available >= 0 ? 0 : (long) Math.ceil(-available * NANOS_PER_SECOND / bytesPerSecond);
  }
}
