package dev.ferry.jobs.transfer;

import java.util.ArrayList;
import java.util.List;

/** Byte range [first, first + length) of an object, part {@code index} of a transfer. */
public record PartRange(int index, long first, long length) {

  public long last() {
    return first + length - 1;
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
