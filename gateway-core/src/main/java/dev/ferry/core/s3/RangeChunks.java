package dev.ferry.core.s3;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Buffers for the bytes of ranged GETs, used again once their reader is done with them.
 *
 * <p>Why: a download keeps several ranges in flight ahead of its client (up to five ranges of
 * 4 MiB with the defaults), and those bytes live across garbage collections. Kept as the S3 client
 * delivers them (a new buffer per HTTP chunk), every young collection copied them, and the ones that
 * outlived a collection or two were promoted to the old generation and died there, so a small heap
 * filled with dead ranges and collected them at a high price. Copied into chunks that come back
 * here, the S3 client's buffers die at once, and the chunks stay where they are.
 *
 * <p>Chunks past {@code idleLimitBytes} go to the garbage collector when given back: a burst of
 * downloads does not keep its memory on the heap for good. A chunk never given back costs nothing
 * but its reuse.
 */
public final class RangeChunks {

  /**
   * Small next to a range (4 MiB by default), so that the unused end of a range's last chunk is
   * little, and far under G1's "humongous" size (half a region: 512 KiB at a 256 MiB heap).
   */
  public static final int CHUNK_SIZE = 64 * 1024;

  private final ConcurrentLinkedQueue<byte[]> idle = new ConcurrentLinkedQueue<>();
  private final AtomicInteger idleCount = new AtomicInteger();
  private final int idleLimit;

  public RangeChunks(long idleLimitBytes) {
    this.idleLimit = (int) Math.min(Integer.MAX_VALUE, Math.max(0, idleLimitBytes / CHUNK_SIZE));
  }

  /** A chunk of {@link #CHUNK_SIZE} bytes, with whatever bytes it held before. */
  public byte[] take() {
    byte[] chunk = idle.poll();
    if (chunk == null) {
      return new byte[CHUNK_SIZE];
    }
    idleCount.decrementAndGet();
    return chunk;
  }

  /** Takes back a chunk its holder will not touch again. */
  public void giveBack(byte[] chunk) {
    if (chunk.length != CHUNK_SIZE) {
      throw new IllegalArgumentException("not a range chunk: " + chunk.length + " bytes");
    }
    if (idleCount.incrementAndGet() <= idleLimit) {
      idle.offer(chunk);
    } else {
      idleCount.decrementAndGet();
    }
  }

  /** Chunks waiting to be used again. */
  public int idleChunks() {
    return idleCount.get();
  }
}
