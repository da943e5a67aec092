package dev.ferry.jobs.transfer;

import java.util.ArrayList;
import java.util.List;

/** Byte range [first, first + length) of an object, part {@code index} of a transfer. */
public record PartRange(int index, long first, long length) {

  public long last() {
    return first + length - 1;
  }

  /** A part is at least this long where an object is cut into rounds ({@link #inRounds}). */
  static final long SHORTEST_ROUND_PART = 32L << 20;

  /** An object is cut into at most this many rounds. */
  static final int MOST_ROUNDS = 8;

  /**
   * {@code size} bytes cut into rounds of {@code atOnce} parts, for a transfer that runs that many at
   * once: up to {@link #MOST_ROUNDS} rounds, none with parts shorter than {@link
   * #SHORTEST_ROUND_PART}, so an object under {@code atOnce} x 64 MiB is one round. Handed out in file
   * order, the parts land roughly in file order and a whole prefix of the file grows while they are
   * fetched, which the remote's SHA-256 can follow ({@link FollowingHash}); with one round all parts
   * end together. 1 GiB 4 at a time is 32 parts of 32 MiB; 200 GiB, 32 parts of 6.25 GiB.
   */
  public static List<PartRange> inRounds(long size, int atOnce) {
    if (atOnce < 1) {
      throw new IllegalArgumentException("parts at once must be at least 1, got " + atOnce);
    }
    long perRound = atOnce * SHORTEST_ROUND_PART;
    long rounds = Math.max(1, Math.min(MOST_ROUNDS, size / perRound));
    return split(size, (int) (atOnce * rounds));
  }

  /**
   * Splits {@code size} bytes into at most {@code parts} equal ranges (the first ones one byte
   * longer when it does not divide evenly). Never an empty range: a 3-byte object in 7 parts is 3
   * parts, and an empty object is no part at all.
   */
  public static List<PartRange> split(long size, int parts) {
    if (parts < 1) {
      throw new IllegalArgumentException("parts must be at least 1, got " + parts);
    }
    int count = (int) Math.min(parts, size);
    List<PartRange> ranges = new ArrayList<>(count);
    long base = count == 0 ? 0 : size / count;
    long remainder = count == 0 ? 0 : size % count;
    long offset = 0;
    for (int i = 0; i < count; i++) {
      long length = base + (i < remainder ? 1 : 0);
      ranges.add(new PartRange(i, offset, length));
      offset += length;
    }
    return ranges;
  }
}
