package dev.ferry.core.store;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class RelayPermitsTest {

  @Test
  void takersPastThePermits_wait_andGetThemBackInTurn() {
    RelayPermits permits = new RelayPermits(2);
    assertTrue(permits.take().isDone());
    assertTrue(permits.take().isDone());

    CompletableFuture<Void> third = permits.take();
    CompletableFuture<Void> fourth = permits.take();
    assertFalse(third.isDone(), "both permits are taken");

    permits.give();
    assertTrue(third.isDone(), "the first waiter has the permit given back");
    assertFalse(fourth.isDone());
    permits.give();
    assertTrue(fourth.isDone());
    permits.give();
    permits.give();
    assertTrue(permits.take().isDone(), "with no one waiting a permit goes back to the pool");
  }
}
