package dev.ferry.core.upload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PartSizePolicyTest {

  private static final long MIB = 1024L * 1024;
  private static final long GIB = 1024 * MIB;
  private static final long TIB = 1024 * GIB;

  @Test
  void sizeOf_parts1To1000_isBaseSize() {
    PartSizePolicy policy = new PartSizePolicy(8 * MIB);

    for (int part = 1; part <= 1000; part++) {
      assertEquals(8 * MIB, policy.sizeOf(part), "part " + part);
    }
  }

  @Test
  void sizeOf_part1001_doubles() {
    PartSizePolicy policy = new PartSizePolicy(8 * MIB);

    assertEquals(16 * MIB, policy.sizeOf(1001));
    assertEquals(16 * MIB, policy.sizeOf(2000));
    assertEquals(32 * MIB, policy.sizeOf(2001));
    assertEquals(4 * GIB, policy.sizeOf(10_000));
  }

  @Test
  void sizeOf_neverShrinksNorExceeds5GiB() {
    for (long base : new long[] {5 * MIB, 8 * MIB, 100 * MIB, 1 * GIB, 5 * GIB}) {
      PartSizePolicy policy = new PartSizePolicy(base);
      long previous = 0;
      for (int part = 1; part <= PartSizePolicy.MAX_PARTS; part++) {
        long size = policy.sizeOf(part);
        assertTrue(size >= previous, "base " + base + " part " + part + " shrank");
        assertTrue(size >= PartSizePolicy.MIN_PART_SIZE, "base " + base + " part " + part + " below 5 MiB");
        assertTrue(size <= PartSizePolicy.MAX_PART_SIZE, "base " + base + " part " + part + " above 5 GiB");
        previous = size;
      }
    }
  }

  @Test
  void sizeOf_largeBase_cappedAt5GiB() {
    PartSizePolicy policy = new PartSizePolicy(3 * GIB);

    assertEquals(3 * GIB, policy.sizeOf(1000));
    assertEquals(5 * GIB, policy.sizeOf(1001));
    assertEquals(5 * GIB, policy.sizeOf(10_000));
  }

  @Test
  void maxObjectSize_8MiBBase_atLeast5TiB() {
    PartSizePolicy policy = new PartSizePolicy(8 * MIB);

    assertTrue(policy.maxObjectSize() >= 5 * TIB, "only " + policy.maxObjectSize() + " bytes");
  }

  @Test
  void maxObjectSize_isSumOfAllPartSizes() {
    PartSizePolicy policy = new PartSizePolicy(8 * MIB);
    long sum = 0;
    for (int part = 1; part <= PartSizePolicy.MAX_PARTS; part++) {
      sum += policy.sizeOf(part);
    }

    assertEquals(sum, policy.maxObjectSize());
  }

  @Test
  void new_limitsAccepted() {
    assertEquals(5 * MIB, new PartSizePolicy(5 * MIB).baseSize());
    assertEquals(5 * GIB, new PartSizePolicy(5 * GIB).baseSize());
  }

  @Test
  void new_below5MiB_throws() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new PartSizePolicy(5 * MIB - 1));

    assertTrue(e.getMessage().contains("5 MiB"), e.getMessage());
  }

  @Test
  void new_above5GiB_throws() {
    assertThrows(IllegalArgumentException.class, () -> new PartSizePolicy(5 * GIB + 1));
  }
}
