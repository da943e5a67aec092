package dev.ferry.core.upload;

import dev.ferry.core.store.ObjectStore;

/**
 * Part sizes for a stream of unknown length. S3 allows 10,000 parts of 5 MiB to 5 GiB, so the size
 * starts at the configured one and doubles every 1,000 parts: with 8 MiB that covers about 8 TiB.
 */
public final class PartSizePolicy {

  public static final long MIN_PART_SIZE = ObjectStore.MIN_PART_SIZE;
  public static final long MAX_PART_SIZE = 5L * 1024 * 1024 * 1024;
  public static final int MAX_PARTS = 10_000;
  static final int PARTS_PER_STEP = 1_000;

  private final long baseSize;
  private final long singlePutLimit;

  public PartSizePolicy(long baseSize) {
    this(baseSize, baseSize);
  }

  /**
   * {@code singlePutLimit}: files up to this size are sent as one PUT when memory allows, so the
   * first part may grow to it before the upload turns multipart.
   */
  public PartSizePolicy(long baseSize, long singlePutLimit) {
    if (baseSize < MIN_PART_SIZE || baseSize > MAX_PART_SIZE) {
      throw new IllegalArgumentException("part size must be between 5 MiB and 5 GiB, got " + baseSize);
    }
    if (singlePutLimit < baseSize || singlePutLimit > MAX_PART_SIZE) {
      throw new IllegalArgumentException("single PUT limit must be between the part size and 5 GiB, got "
          + singlePutLimit);
    }
    this.baseSize = baseSize;
    this.singlePutLimit = singlePutLimit;
  }

  public long singlePutLimit() {
    return singlePutLimit;
  }

  public long baseSize() {
    return baseSize;
  }

  /** Size of part {@code partNumber} (1-based). */
  public long sizeOf(int partNumber) {
    int step = Math.min((partNumber - 1) / PARTS_PER_STEP, 20);
    return Math.min(baseSize << step, MAX_PART_SIZE);
  }

  /** The largest object that fits in {@link #MAX_PARTS} parts under this policy. */
  public long maxObjectSize() {
    long total = 0;
    for (int part = 1; part <= MAX_PARTS; part += PARTS_PER_STEP) {
      total += sizeOf(part) * PARTS_PER_STEP;
    }
    return total;
  }
}
