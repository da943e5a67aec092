package dev.ferry.jobs.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class PartRangeTest {

  @Test
  void split_evenSize_equalRangesCoveringAll() {
    assertEquals(List.of(new PartRange(0, 0, 5), new PartRange(1, 5, 5)), PartRange.split(10, 2));
  }

  @Test
  void split_remainder_firstRangesOneLonger() {
    List<PartRange> ranges = PartRange.split(10, 4);
    assertEquals(List.of(3L, 3L, 2L, 2L), ranges.stream().map(PartRange::length).toList());
    assertEquals(9, ranges.get(3).last());
  }

  @Test
  void split_fewerBytesThanParts_oneBytePerPart() {
    assertEquals(3, PartRange.split(3, 7).size());
  }

  @Test
  void split_emptyObject_noParts() {
    assertEquals(List.of(), PartRange.split(0, 4));
  }

  @Test
  void split_zeroParts_refused() {
    assertThrows(IllegalArgumentException.class, () -> PartRange.split(10, 0));
  }

  /**
   * A large object is cut into rounds of as many parts as run at once, so parts land in about file
   * order; never more than 8 rounds, no extra part under 32 MiB, and the ranges still cover the
   * object end to end.
   */
  @Test
  void inRounds_largeObjects_roundsOfPartsAtOnce_smallOnesJustThoseParts() {
    long mib = 1L << 20;
    assertEquals(32, PartRange.inRounds(1024 * mib, 4).size(), "1 GiB, 4 at once: 8 rounds of 32 MiB");
    assertEquals(32 * mib, PartRange.inRounds(1024 * mib, 4).get(0).length());
    assertEquals(32, PartRange.inRounds(1024 * mib, 8).size(), "1 GiB, 8 at once: 4 rounds");
    assertEquals(4, PartRange.inRounds(100 * mib, 4).size(), "under a round of 32 MiB parts: one round");
    assertEquals(8, PartRange.inRounds(300 * mib, 4).size(), "two whole rounds of 32 MiB parts, not three");
    assertEquals(32, PartRange.inRounds(200L * 1024 * mib, 4).size(), "200 GiB: at most 8 rounds");
    assertEquals(3, PartRange.inRounds(3, 7).size());
    for (long size : new long[] {0, 1, 300 * mib + 7, 200L * 1024 * mib + 3}) {
      long next = 0;
      for (PartRange part : PartRange.inRounds(size, 4)) {
        assertEquals(next, part.first(), "ranges of " + size + " bytes must follow each other");
        next += part.length();
      }
      assertEquals(size, next, "ranges must cover " + size + " bytes");
    }
    assertThrows(IllegalArgumentException.class, () -> PartRange.inRounds(10, 0));
  }
}
