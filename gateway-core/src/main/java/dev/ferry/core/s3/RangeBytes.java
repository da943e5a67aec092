package dev.ferry.core.s3;

import java.util.List;

/**
 * The bytes of one ranged GET, in chunks of {@link #CHUNK_SIZE}. Read whole into one array, a
 * range of a few MiB is "humongous" to G1 (half a heap region or more): it takes whole regions of
 * its own, a 4 MiB array three 2 MiB regions, and is freed only by a marking cycle. Downloads
 * allocate such ranges all the time; chunks are ordinary young objects, cheap to allocate and free.
 */
public final class RangeBytes {

  /** Below half a region at any heap size (G1 regions are at least 1 MiB). */
  public static final int CHUNK_SIZE = 256 * 1024;

  public static final RangeBytes EMPTY = new RangeBytes(List.of(), 0);

  private final List<byte[]> chunks;
  private final int length;

  /** {@code chunks} are full but the last, which holds the rest of {@code length} and no more. */
  public RangeBytes(List<byte[]> chunks, int length) {
    this.chunks = List.copyOf(chunks);
    this.length = length;
  }

  public int length() {
    return length;
  }

  /**
   * Copies up to {@code count} bytes from {@code position} into {@code into} at {@code offset}, as
   * many as the chunk holding {@code position} has; returns how many.
   */
  public int copy(int position, byte[] into, int offset, int count) {
    int within = position % CHUNK_SIZE;
    int n = Math.min(count, Math.min(CHUNK_SIZE - within, length - position));
    System.arraycopy(chunks.get(position / CHUNK_SIZE), within, into, offset, n);
    return n;
  }

  /** The chunks in order, each exactly as long as the bytes it holds. */
  public List<byte[]> chunks() {
    return chunks;
  }
}
