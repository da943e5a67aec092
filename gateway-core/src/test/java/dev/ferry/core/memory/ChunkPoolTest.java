package dev.ferry.core.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ChunkPoolTest {

  @Test
  void aChunkGivenBack_isTheNextOneTaken() {
    ChunkPool pool = new ChunkPool(1000, 10_000);
    byte[] first = pool.take();
    assertEquals(1000, first.length);
    pool.giveBack(first);
    assertEquals(1, pool.idleChunks());
    assertSame(first, pool.take(), "used again");
    assertEquals(0, pool.idleChunks());
    assertNotSame(first, pool.take(), "none idle: a new one");
  }

  @Test
  void chunksPastTheIdleLimit_goToTheGarbageCollector() {
    ChunkPool pool = new ChunkPool(1000, 2_500);
    for (int i = 0; i < 5; i++) {
      pool.giveBack(new byte[1000]);
    }
    assertEquals(2, pool.idleChunks(), "2,500 bytes hold two chunks of 1,000");
  }

  @Test
  void anArrayOfAnotherSize_isRefusedNamingBothSizes() {
    ChunkPool pool = ChunkPool.forTransfers(1 << 20);
    IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> pool.giveBack(new byte[10]));
    assertTrue(refused.getMessage().contains("10 bytes, not " + ChunkPool.CHUNK_SIZE), refused.getMessage());
    assertEquals(0, pool.idleChunks());
  }
}
