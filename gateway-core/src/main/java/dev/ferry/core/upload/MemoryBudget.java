package dev.ferry.core.upload;

import dev.ferry.core.memory.ChunkPool;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The memory all uploads together may hold in part buffers. Memory is reserved a whole part at a
 * time (so no upload can hold half a part while waiting for the other half: no deadlock), then
 * handed out in fixed-size chunks from a pool as bytes arrive. A writer that cannot reserve waits,
 * which stops reading from its client: that wait is the backpressure.
 */
public final class MemoryBudget {

  /** The chunk parts are held in: the size of every chunk of the transfers' pool. */
  public static final int CHUNK_SIZE = ChunkPool.CHUNK_SIZE;

  private final long capacityBytes;
  private final int totalChunks;
  private final Semaphore chunks;
  /**
   * Where filled chunks come from and go back to, shared with downloads: what an upload gave back
   * serves the next download, and the other way round (see {@link ChunkPool}).
   */
  private final ChunkPool pool;
  /** Notified whenever chunks come back, for writers waiting to hold bytes ({@link #takeForHeld}). */
  private final Object returned = new Object();

  public MemoryBudget(long capacityBytes, ChunkPool pool) {
    if (capacityBytes < CHUNK_SIZE) {
      throw new IllegalArgumentException("memory budget must be at least " + CHUNK_SIZE + " bytes");
    }
    if (pool.chunkSize() != CHUNK_SIZE) {
      throw new IllegalArgumentException("upload chunks are " + CHUNK_SIZE + " bytes, not " + pool.chunkSize());
    }
    this.capacityBytes = capacityBytes;
    this.totalChunks = chunksFor(capacityBytes);
    this.chunks = new Semaphore(totalChunks, true);
    this.pool = pool;
  }

  /**
   * How many bytes of chunks the transfers' pool should keep idle for uploads: a quarter of their
   * budget (at least a chunk). A burst of parallel uploads fills the whole budget, and a pool that
   * kept every chunk held it on the heap for good, out of reach of what no budget covers (SFTP
   * channel windows, listings, sessions): at -Xmx256m, 8 parallel 1 GiB uploads left 102 MiB
   * pooled, and 50 sessions transferring afterwards ran the heap out; the same 50 on a fresh Ferry
   * did not (bench-sftp.sh's load, issue 37).
   */
  public static long idleBytesFor(long capacityBytes) {
    return Math.max(CHUNK_SIZE, capacityBytes / 4);
  }

  public long capacityBytes() {
    return capacityBytes;
  }

  /** Bytes currently reserved by uploads; zero when no upload is open. */
  public long reservedBytes() {
    return (long) (totalChunks - chunks.availablePermits()) * CHUNK_SIZE;
  }

  static int chunksFor(long bytes) {
    return (int) ((bytes + CHUNK_SIZE - 1) / CHUNK_SIZE);
  }

  /**
   * Reserves room for {@code bytes}, waiting while the budget is used, and gives up when
   * {@code cancelled} turns true (the upload was aborted meanwhile).
   */
  Reservation reserve(long bytes, BooleanSupplier cancelled) throws InterruptedIOException {
    int count = chunksFor(bytes);
    if (count > totalChunks) {
      throw new InterruptedIOException(bytes + " bytes can never fit in the upload memory budget of "
          + capacityBytes + " bytes");
    }
    try {
      while (!chunks.tryAcquire(count, 200, TimeUnit.MILLISECONDS)) {
        if (cancelled.getAsBoolean()) {
          throw new InterruptedIOException("upload aborted while waiting for memory");
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for memory");
    }
    return new Reservation(count);
  }

  /**
   * Takes {@code count} chunks' worth of room for bytes held outside a part (an
   * {@link OffsetWriter}'s out-of-order writes), never from the last half of the budget, waiting up
   * to {@code wait} for it; false when the wait ran out. Held bytes leave only when their writer
   * moves on, and that writer may be waiting for a part: the half kept for parts is what lets
   * every such writer move on, so that waiting here never waits on a part that waits on it.
   */
  boolean takeForHeld(int count, Duration wait) throws InterruptedIOException {
    if (count <= 0) {
      return true;
    }
    long deadline = System.nanoTime() + wait.toNanos();
    synchronized (returned) {
      while (!tryTakeForHeld(count)) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        try {
          returned.wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted while waiting for upload memory");
        }
      }
      return true;
    }
  }

  private boolean tryTakeForHeld(int count) {
    while (true) {
      int available = chunks.availablePermits();
      if (available - count < totalChunks / 2) {
        return false;
      }
      if (chunks.tryAcquire(count)) {
        return true;
      }
    }
  }

  private boolean tryTake(int count) {
    return count <= 0 || chunks.tryAcquire(count);
  }

  /**
   * Room for {@code bytes} held outside any upload's parts by work that also writes through uploads
   * (a workflow's decompress step: its read window and buffer), taken as {@link #takeForHeld} takes
   * it, never from the half of the budget kept for parts: the holder's own uploads can always get
   * their parts. Empty when it did not come within {@code wait}, or can never fit in that half.
   */
  public Optional<Held> hold(long bytes, Duration wait) throws InterruptedIOException {
    int count = chunksFor(bytes);
    if (count > totalChunks - totalChunks / 2) {
      return Optional.empty();
    }
    return takeForHeld(count, wait) ? Optional.of(new Held(count)) : Optional.empty();
  }

  /** The most a {@link #hold} can ever get: the half of the budget not kept for parts. */
  public long holdable() {
    return (long) (totalChunks - totalChunks / 2) * CHUNK_SIZE;
  }

  /** Room taken with {@link #hold}; closing gives it back, once. */
  public final class Held implements AutoCloseable {
    private int count;

    private Held(int count) {
      this.count = count;
    }

    @Override
    public void close() {
      int returning = count;
      count = 0;
      give(returning);
    }
  }

  /** Gives back room taken with {@link #takeForHeld}. */
  void give(int count) {
    if (count > 0) {
      chunks.release(count);
      signalReturned();
    }
  }

  private void signalReturned() {
    synchronized (returned) {
      returned.notifyAll();
    }
  }

  /** Room for one part: chunks are taken from the pool only as they are filled. */
  final class Reservation {
    private int unusedChunks;

    private Reservation(int count) {
      this.unusedChunks = count;
    }

    /** Adds room for {@code bytes} more without waiting; false (and nothing taken) when there is none. */
    boolean tryExtend(long bytes) {
      int count = chunksFor(bytes);
      if (!tryTake(count)) {
        return false;
      }
      unusedChunks += count;
      return true;
    }

    byte[] takeChunk() {
      if (unusedChunks == 0) {
        throw new IllegalStateException("part grew beyond its reservation");
      }
      unusedChunks--;
      return pool.take();
    }

    /** Returns the chunks and whatever was reserved but never taken. Called exactly once. */
    void release(Iterable<byte[]> taken) {
      int count = unusedChunks;
      unusedChunks = 0;
      for (byte[] chunk : taken) {
        pool.giveBack(chunk);
        count++;
      }
      chunks.release(count);
      signalReturned();
    }
  }
}
