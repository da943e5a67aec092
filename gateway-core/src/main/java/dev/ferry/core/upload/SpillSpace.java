package dev.ferry.core.upload;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The node's disk for spill files ({@code uploads.spillBudget}), as {@link MemoryBudget} is its
 * memory for parts: every byte a spill file holds is counted here first, against the whole budget,
 * the user's share ({@code uploads.spillPerUser}) and the session's ({@code uploads.spillPerSession}).
 * Without it one user's sessions, each with many handles writing far ahead, could fill the node's
 * disk (32 sessions x 64 handles x 64 MiB = 128 GiB).
 */
public final class SpillSpace {

  /** The three limits; {@code waitForRoom}: how long a write needing room waits for others to give some back. */
  public record Limits(long budget, long perUser, long perSession, Duration waitForRoom) {}

  private final Limits limits;
  // Guarded by this.
  private long used;
  private final Map<String, Long> byUser = new HashMap<>();

  public SpillSpace(Limits limits) {
    this.limits = limits;
  }

  public Limits limits() {
    return limits;
  }

  /** Bytes all spill files hold now. */
  public synchronized long used() {
    return used;
  }

  /** A new session's share, for {@code user}'s files. */
  public SpillShare share(String user) {
    return new SpillShare(this, user);
  }

  /**
   * Takes {@code bytes} for {@code user}, waiting up to {@code wait} (zero: not at all) while the
   * budget or the user's share is full; the limit that stayed full when it could not, else null.
   */
  synchronized String take(String user, long bytes, Duration wait) throws InterruptedException {
    long deadline = System.nanoTime() + wait.toNanos();
    while (true) {
      String full = used + bytes > limits.budget() ? "uploads.spillBudget (" + limits.budget() + " bytes)"
          : byUser.getOrDefault(user, 0L) + bytes > limits.perUser()
              ? "uploads.spillPerUser (" + limits.perUser() + " bytes)" : null;
      if (full == null) {
        used += bytes;
        byUser.merge(user, bytes, Long::sum);
        return null;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return full;
      }
      java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(this, left);
    }
  }

  synchronized void give(String user, long bytes) {
    if (bytes <= 0) {
      return;
    }
    used -= bytes;
    byUser.computeIfPresent(user, (u, held) -> held <= bytes ? null : held - bytes);
    notifyAll();
  }
}
