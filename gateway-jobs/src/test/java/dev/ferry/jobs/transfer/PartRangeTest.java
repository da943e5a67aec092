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
}
