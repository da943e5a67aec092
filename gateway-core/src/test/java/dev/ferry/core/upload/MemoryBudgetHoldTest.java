package dev.ferry.core.upload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.memory.ChunkPool;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Room held outside parts (a decompress step's window) comes from the half of the budget parts do not need. */
class MemoryBudgetHoldTest {

  private static final int CHUNK = MemoryBudget.CHUNK_SIZE;

  @Test
  void hold_takesFromTheHalfNotKeptForParts_andGivesItBackOnClose() throws Exception {
    MemoryBudget budget = new MemoryBudget(16L * CHUNK, ChunkPool.forTransfers(0));
    assertEquals(8L * CHUNK, budget.holdable());
    Optional<MemoryBudget.Held> first = budget.hold(5L * CHUNK, Duration.ZERO);
    assertTrue(first.isPresent());
    assertEquals(5L * CHUNK, budget.reservedBytes());
    assertTrue(budget.hold(4L * CHUNK, Duration.ofMillis(50)).isEmpty(), "past the half: parts keep theirs");
    Optional<MemoryBudget.Held> second = budget.hold(3L * CHUNK, Duration.ZERO);
    assertTrue(second.isPresent());
    first.get().close();
    first.get().close(); // once
    assertEquals(3L * CHUNK, budget.reservedBytes());
    second.get().close();
    assertEquals(0, budget.reservedBytes());
  }

  @Test
  void hold_moreThanTheHalf_neverComes() throws Exception {
    MemoryBudget budget = new MemoryBudget(16L * CHUNK, ChunkPool.forTransfers(0));
    assertTrue(budget.hold(9L * CHUNK, Duration.ofSeconds(5)).isEmpty());
    assertEquals(0, budget.reservedBytes());
  }
}
