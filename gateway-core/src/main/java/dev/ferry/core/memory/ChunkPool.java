package dev.ferry.core.memory;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Byte arrays of one size that stream on the way through Ferry, used again once their holder is
 * done with them.
 *
 * <p>Why: bytes in flight live across garbage collections. A download keeps several ranges ahead
 * of its client (up to five ranges of 4 MiB with the defaults); an upload fills parts of 8 MiB,
 * several in flight; an SFTP upload queues up to a channel window (8 MiB) of write requests for
 * its session's thread. Held in a new array each, as the S3 client or MINA allocate them, those
 * bytes were copied by every young collection they outlived and promoted to the old generation,
 * where they died: a small heap filled with them and collected them at a high price. Held in
 * arrays that come back here, they stay where they are.
 *
 * <p>Arrays past {@code idleLimitBytes} go to the garbage collector when given back: a burst of
 * transfers does not keep its memory on the heap for good. An array never given back costs
 * nothing but its reuse; one given back must not be touched again by its holder.
 */
public final class ChunkPool {

  /**
   * The chunk of uploads' parts and downloads' ranges, which share one pool ({@link
   * #forTransfers}). Small next to a range (4 MiB by default), so that the unused end of a range's
   * last chunk is little, and far under G1's "humongous" size (half a region: 512 KiB at a 256 MiB
   * heap; at or above it an array takes whole regions, and 8 parallel uploads in 1 MiB chunks ran
   * out of heap at -Xmx256m).
   */
  public static final int CHUNK_SIZE = 64 * 1024;

  private final int chunkSize;
  private final ConcurrentLinkedQueue<byte[]> idle = new ConcurrentLinkedQueue<>();
  private final AtomicInteger idleCount = new AtomicInteger();
  private final int idleLimit;

  public ChunkPool(int chunkSize, long idleLimitBytes) {
    if (chunkSize <= 0) {
      throw new IllegalArgumentException("chunk size must be positive: " + chunkSize);
    }
    this.chunkSize = chunkSize;
    this.idleLimit = (int) Math.min(Integer.MAX_VALUE, Math.max(0, idleLimitBytes / chunkSize));
  }

  /** Chunks of {@link #CHUNK_SIZE}, for uploads' parts and downloads' ranges. */
  public static ChunkPool forTransfers(long idleLimitBytes) {
    return new ChunkPool(CHUNK_SIZE, idleLimitBytes);
  }

  /** A chunk of {@link #chunkSize()} bytes, with whatever bytes it held before. */
  public byte[] take() {
    byte[] chunk = idle.poll();
    if (chunk == null) {
      return new byte[chunkSize];
    }
    idleCount.decrementAndGet();
    return chunk;
  }

  /** Takes back a chunk its holder will not touch again. */
  public void giveBack(byte[] chunk) {
    if (chunk.length != chunkSize) {
      throw new IllegalArgumentException("not a chunk of this pool: " + chunk.length + " bytes, not " + chunkSize);
    }
    if (idleCount.incrementAndGet() <= idleLimit) {
      idle.offer(chunk);
    } else {
      idleCount.decrementAndGet();
    }
  }

  /** The size of every chunk. */
  public int chunkSize() {
    return chunkSize;
  }

  /** Chunks waiting to be used again. */
  public int idleChunks() {
    return idleCount.get();
  }
}
