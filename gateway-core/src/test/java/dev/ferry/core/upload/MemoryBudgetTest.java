package dev.ferry.core.upload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.memory.ChunkPool;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Budgets wait for memory; the timeout turns a reserve() that never returns into a failure. */
@Timeout(30)
class MemoryBudgetTest {

  private static final int CHUNK = MemoryBudget.CHUNK_SIZE;
  private static final BooleanSupplier NEVER = () -> false;

  private final ExecutorService executor = Executors.newSingleThreadExecutor();

  @AfterEach
  void stopExecutor() throws InterruptedException {
    executor.shutdownNow();
    assertTrue(executor.awaitTermination(10, TimeUnit.SECONDS), "a reserve() was left waiting");
  }

  /** Turns true on its {@code n}th call, counting calls; each call follows one unsuccessful wait. */
  private static final class TrueAfter implements BooleanSupplier {
    private final int n;
    private final AtomicInteger calls = new AtomicInteger();

    TrueAfter(int n) {
      this.n = n;
    }

    @Override
    public boolean getAsBoolean() {
      return calls.incrementAndGet() >= n;
    }
  }

  /** A budget of {@code bytes} whose pool keeps idle what Ferry's would keep for uploads alone. */
  private static MemoryBudget budget(long bytes) {
    return new MemoryBudget(bytes, ChunkPool.forTransfers(MemoryBudget.idleBytesFor(bytes)));
  }

  @Test
  void new_belowOneChunk_throws() {
    assertThrows(IllegalArgumentException.class, () -> new MemoryBudget(CHUNK - 1, ChunkPool.forTransfers(0)));
  }

  @Test
  void new_withAPoolOfAnotherChunkSize_throws() {
    IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
        () -> new MemoryBudget(8L * CHUNK, new ChunkPool(CHUNK / 2, 0)));
    assertTrue(refused.getMessage().contains("not " + CHUNK / 2), refused.getMessage());
  }

  @Test
  void takeForHeld_leavesHalfTheBudgetForParts() throws Exception {
    MemoryBudget budget = budget(8L * CHUNK);
    assertTrue(budget.takeForHeld(3, Duration.ZERO));
    assertFalse(budget.takeForHeld(2, Duration.ofMillis(100)), "held bytes must not take the half kept for parts");
    assertTrue(budget.takeForHeld(1, Duration.ZERO));
    MemoryBudget.Reservation part = budget.reserve(4L * CHUNK, NEVER);
    part.release(List.of());
    budget.give(4);
    assertEquals(0, budget.reservedBytes());
  }

  @Test
  void takeForHeld_budgetUsedByParts_waitsUntilAPartGivesItsChunksBack() throws Exception {
    MemoryBudget budget = budget(8L * CHUNK);
    MemoryBudget.Reservation part = budget.reserve(6L * CHUNK, NEVER);
    Future<Boolean> held = executor.submit(() -> budget.takeForHeld(1, Duration.ofSeconds(20)));
    part.release(List.of());
    assertTrue(held.get(20, TimeUnit.SECONDS), "the held bytes got room once the part was done");
    budget.give(1);
    assertEquals(0, budget.reservedBytes());
  }

  @Test
  void reserve_freeBudget_handsOutChunksUpToReservation() throws Exception {
    MemoryBudget budget = budget(8L * CHUNK);

    MemoryBudget.Reservation part = budget.reserve(3L * CHUNK, NEVER);
    List<byte[]> taken = new ArrayList<>();
    taken.add(part.takeChunk());
    taken.add(part.takeChunk());
    taken.add(part.takeChunk());

    for (byte[] chunk : taken) {
      assertEquals(CHUNK, chunk.length);
    }
    assertThrows(IllegalStateException.class, part::takeChunk, "a part may not outgrow its reservation");
    part.release(taken);
    assertEquals(0, budget.reservedBytes());
  }

  @Test
  void reserve_partialChunk_reservesWholeChunk() throws Exception {
    MemoryBudget budget = budget(4L * CHUNK);

    MemoryBudget.Reservation part = budget.reserve(CHUNK + 1, NEVER);

    assertEquals(2L * CHUNK, budget.reservedBytes());
    part.release(List.of());
    assertEquals(0, budget.reservedBytes());
  }

  @Test
  void reservedBytes_followsReserveAndRelease_backToZero() throws Exception {
    MemoryBudget budget = budget(10L * CHUNK);
    assertEquals(0, budget.reservedBytes());

    MemoryBudget.Reservation a = budget.reserve(4L * CHUNK, NEVER);
    MemoryBudget.Reservation b = budget.reserve(2L * CHUNK, NEVER);
    assertEquals(6L * CHUNK, budget.reservedBytes());

    byte[] used = a.takeChunk();
    a.release(List.of(used));
    assertEquals(2L * CHUNK, budget.reservedBytes());

    b.release(List.of());
    assertEquals(0, budget.reservedBytes());
    assertEquals(10L * CHUNK, budget.capacityBytes());
  }

  @Test
  void release_ofAWholeBudget_keepsAQuarterForTheNextUploads() throws Exception {
    ChunkPool pool = ChunkPool.forTransfers(MemoryBudget.idleBytesFor(16L * CHUNK));
    MemoryBudget budget = new MemoryBudget(16L * CHUNK, pool);
    MemoryBudget.Reservation all = budget.reserve(16L * CHUNK, NEVER);
    List<byte[]> taken = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      taken.add(all.takeChunk());
    }
    all.release(taken);

    assertEquals(4, pool.idleChunks(), "what a burst of uploads filled is not held on the heap for good");
    assertEquals(0, budget.reservedBytes());
    MemoryBudget.Reservation next = budget.reserve(16L * CHUNK, NEVER);
    for (int i = 0; i < 16; i++) {
      assertNotNull(next.takeChunk());
    }
    assertEquals(0, pool.idleChunks(), "the kept chunks went to the next upload");
  }

  @Test
  void takeChunk_afterRelease_reusesPooledBuffer() throws Exception {
    MemoryBudget budget = budget(2L * CHUNK);
    MemoryBudget.Reservation first = budget.reserve(CHUNK, NEVER);
    byte[] chunk = first.takeChunk();
    first.release(List.of(chunk));

    MemoryBudget.Reservation second = budget.reserve(CHUNK, NEVER);
    byte[] again = second.takeChunk();

    assertSame(chunk, again, "released buffers are pooled, not reallocated");
    second.release(List.of(again));
  }

  @Test
  void reserve_budgetFullAndUploadCancelled_throwsInterruptedIOException() throws Exception {
    MemoryBudget budget = budget(4L * CHUNK);
    MemoryBudget.Reservation holder = budget.reserve(3L * CHUNK, NEVER);
    TrueAfter cancelled = new TrueAfter(2);

    InterruptedIOException e = assertThrows(InterruptedIOException.class,
        () -> budget.reserve(2L * CHUNK, cancelled));

    assertTrue(e.getMessage().contains("aborted"), e.getMessage());
    assertEquals(2, cancelled.calls.get(), "kept waiting until the upload was cancelled, then stopped");
    assertEquals(3L * CHUNK, budget.reservedBytes(), "the refused reservation holds nothing");
    holder.release(List.of());
    assertEquals(0, budget.reservedBytes());
  }

  @Test
  void reserve_threadInterrupted_throwsAndKeepsInterruptFlag() throws Exception {
    MemoryBudget budget = budget(2L * CHUNK);
    MemoryBudget.Reservation holder = budget.reserve(2L * CHUNK, NEVER);
    try {
      Thread.currentThread().interrupt();

      assertThrows(InterruptedIOException.class, () -> budget.reserve(CHUNK, NEVER));

      assertTrue(Thread.interrupted(), "the interrupt must stay visible to the caller");
      assertEquals(2L * CHUNK, budget.reservedBytes());
    } finally {
      Thread.interrupted();
      holder.release(List.of());
    }
    assertEquals(0, budget.reservedBytes());
  }

  @Test
  void reserve_budgetFull_succeedsOnceOtherReservationReleased() throws Exception {
    MemoryBudget budget = budget(4L * CHUNK);
    MemoryBudget.Reservation holder = budget.reserve(3L * CHUNK, NEVER);
    byte[] filled = holder.takeChunk();
    CountDownLatch waiting = new CountDownLatch(1);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    BooleanSupplier cancelled = () -> {
      waiting.countDown(); // called only after a wait that found no room
      return System.nanoTime() > deadline; // so a broken budget fails the test instead of hanging it
    };

    CompletableFuture<MemoryBudget.Reservation> second = CompletableFuture.supplyAsync(() -> {
      try {
        return budget.reserve(2L * CHUNK, cancelled);
      } catch (InterruptedIOException e) {
        throw new AssertionError("reserve gave up instead of waiting for memory", e);
      }
    }, executor);

    assertTrue(waiting.await(10, TimeUnit.SECONDS), "reserve should be waiting for memory");
    assertFalse(second.isDone(), "only 1 of the 2 needed chunks is free");
    holder.release(List.of(filled));

    MemoryBudget.Reservation got = second.get(10, TimeUnit.SECONDS);
    assertNotNull(got);
    assertEquals(2L * CHUNK, budget.reservedBytes());
    got.release(List.of());
    assertEquals(0, budget.reservedBytes());
  }

  /**
   * A budget that is not a whole number of chunks (say memoryBudget = partSize = 8704KiB, which
   * the config accepts) must still fit one part of its full size; otherwise the upload waits for
   * memory that can never be freed.
   */
  @Test
  void reserve_wholeCapacityNotChunkMultiple_succeeds() throws Exception {
    MemoryBudget budget = budget(8L * CHUNK + CHUNK / 2);
    TrueAfter cancelled = new TrueAfter(2);

    MemoryBudget.Reservation part = budget.reserve(budget.capacityBytes(), cancelled);

    assertTrue(budget.reservedBytes() > 0);
    part.release(List.of());
    assertEquals(0, budget.reservedBytes());
  }
}
