package dev.ferry.core.store;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;

/**
 * How many parts of copies between storages may be in memory at once on this node: each holds its
 * range (up to twice {@link ObjectStore#RELAY_PART_BYTES}) from its read until its upload ends.
 * Waiting is a future, never a blocked thread: a copy's next part is asked for from the S3 client's
 * own threads, which must not wait.
 */
final class RelayPermits {

  private final Queue<CompletableFuture<Void>> waiting = new ArrayDeque<>();
  private int free;

  RelayPermits(int permits) {
    this.free = permits;
  }

  /** Completes once a permit is this caller's: at once when one is free, else when one is given back. */
  synchronized CompletableFuture<Void> take() {
    if (free > 0) {
      free--;
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<Void> turn = new CompletableFuture<>();
    waiting.add(turn);
    return turn;
  }

  /** Gives a permit back: to the longest waiter, else to the pool. */
  void give() {
    CompletableFuture<Void> next;
    synchronized (this) {
      next = waiting.poll();
      if (next == null) {
        free++;
        return;
      }
    }
    next.complete(null); // outside the lock: the waiter's part starts from here
  }
}
