package dev.ferry.core.upload;

import java.io.IOException;
import java.time.Duration;

/**
 * One session's memory for writes held out of order (SFTP writes ahead of a gap, in files larger
 * than the spill limit, whose bytes have nowhere else to wait). All the session's files together
 * hold at most the reorder window ({@code uploads.reorderWindow}), drawn from the half of the
 * upload memory budget that parts never need: a client with many handles each writing ahead
 * cannot take what other sessions' uploads need.
 *
 * <p>A write beyond the session's window fails at once: only that same session's gap-filling
 * writes could free its room, and a session serves its requests one at a time, so waiting would
 * wait for itself. A write that finds the budget's half taken by other sessions waits for it, as
 * every upload byte does when the budget is used (backpressure), but not for ever: after
 * {@code uploads.memoryWait} it fails with that reason.
 */
public final class ReorderMemory {

  private final MemoryBudget budget;
  private final long window;
  private final Duration wait;
  /** Chunks of the budget this session's writers hold. Guarded by this. */
  private int taken;

  ReorderMemory(MemoryBudget budget, long window, Duration wait) {
    this.budget = budget;
    this.window = window;
    this.wait = wait;
  }

  /** Takes {@code count} chunks for held bytes of {@code description}'s write at {@code position}. */
  void take(int count, String description, long position) throws IOException {
    synchronized (this) {
      if ((long) (taken + count) * MemoryBudget.CHUNK_SIZE > Math.max(window, MemoryBudget.CHUNK_SIZE)) {
        throw new IOException(description + ": write at offset " + position + " would hold more than this session's "
            + "reorder window (" + window + " bytes, uploads.reorderWindow) of writes out of order in memory, in "
            + "all its open files together; write each file in order");
      }
      taken += count;
    }
    boolean got = false;
    try {
      got = budget.takeForHeld(count, wait);
    } finally {
      if (!got) {
        release(count);
      }
    }
    if (!got) {
      throw new IOException(description + ": write at offset " + position + ", held out of order, waited "
          + wait.toSeconds() + " s for upload memory (uploads.memoryBudget) held by other uploads; write in order "
          + "or try again later");
    }
  }

  void give(int count) {
    if (count > 0) {
      release(count);
      budget.give(count);
    }
  }

  /** Bytes this session's writes out of order hold now, in whole chunks of the budget. */
  public synchronized long heldBytes() {
    return (long) taken * MemoryBudget.CHUNK_SIZE;
  }

  private synchronized void release(int count) {
    taken -= count;
  }
}
