package dev.ferry.jobs.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.s3.ObjectInfo;
import dev.ferry.jobs.engine.JobSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** How an attempt schedules its parts over the channels it may open. */
class TransferAttemptTest {

  private static final long SIZE = 10_000;
  private final ExecutorService partPool = Executors.newCachedThreadPool();

  @AfterEach
  void stopPool() {
    partPool.shutdownNow();
  }

  /** One channel fetches part 0 first: a test (or an operator) watching part 0 sees it whole before part 1 starts. */
  @Test
  void oneChannel_partsRunOneAfterAnotherInIndexOrder() throws Exception {
    List<Integer> order = Collections.synchronizedList(new ArrayList<>());
    TransferAttempt attempt = attempt(1);
    for (int round = 0; round < 20; round++) {
      order.clear();
      attempt.runParts(PartRange.split(SIZE, 8), part -> order.add(part.index()));
      assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7), order, "round " + round);
    }
  }

  @Test
  void threeChannels_neverMoreThanThreePartsAtOnce_andEveryPartRunsOnce() throws Exception {
    AtomicInteger now = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    List<Integer> ran = Collections.synchronizedList(new ArrayList<>());
    // The first three parts hold their channels until all three run at once; with fewer channels
    // the wait would time out.
    CountDownLatch threeRunning = new CountDownLatch(3);
    TransferAttempt attempt = attempt(3);
    attempt.runParts(PartRange.split(SIZE, 12), part -> {
      most.accumulateAndGet(now.incrementAndGet(), Math::max);
      threeRunning.countDown();
      if (!threeRunning.await(10, TimeUnit.SECONDS)) {
        throw new IOException("three parts never ran at once");
      }
      ran.add(part.index());
      now.decrementAndGet();
    });
    assertEquals(3, most.get(), "parts running at once");
    assertEquals(12, ran.size());
    assertEquals(12, ran.stream().distinct().count(), "a part ran twice: " + ran);
    assertEquals(12, attempt.partsDone.get());
  }

  /**
   * A job of 2 parts at once on a session with 8 channels runs 2 at once, whatever the number of
   * parts: the first two hold their channels until both run, time in which a third would start.
   */
  @Test
  void partsAtOnce_whatTheJobAsks_notEveryChannel() throws Exception {
    AtomicInteger now = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    CountDownLatch twoRunning = new CountDownLatch(2);
    TransferAttempt attempt = attempt(8, 2);
    attempt.runParts(PartRange.split(SIZE, 16), part -> {
      most.accumulateAndGet(now.incrementAndGet(), Math::max);
      twoRunning.countDown();
      if (!twoRunning.await(10, TimeUnit.SECONDS)) {
        throw new IOException("two parts never ran at once");
      }
      now.decrementAndGet();
    });
    assertEquals(2, most.get(), "parts running at once");
    assertEquals(16, attempt.partsDone.get());
  }

  /** A failed part ends the attempt at once: the parts not yet started never start, and the failure is thrown. */
  @Test
  void aPartFails_theRestDoNotStart_andTheFailureIsThrown() {
    List<Integer> ran = Collections.synchronizedList(new ArrayList<>());
    TransferAttempt attempt = attempt(2);
    CountDownLatch never = new CountDownLatch(1);
    IOException thrown = assertThrows(IOException.class, () -> attempt.runParts(PartRange.split(SIZE, 10), part -> {
      ran.add(part.index());
      if (part.index() == 1) {
        throw new IOException("curl of part 1 failed");
      }
      // Part 0 is still running when part 1 fails: the attempt's cancel interrupts this wait.
      never.await(10, TimeUnit.SECONDS);
    }));
    assertEquals("curl of part 1 failed", thrown.getMessage());
    assertTrue(ran.size() <= 3, "parts started after the failure: " + ran);
  }

  private TransferAttempt attempt(int channels) {
    return attempt(channels, 8);
  }

  private TransferAttempt attempt(int channels, int partsAtOnce) {
    JobSettings settings = new JobSettings(Path.of("unused"), 1, 1, Duration.ZERO, 0, Duration.ZERO, 1, 64, channels,
        Duration.ofMinutes(5), Duration.ofMinutes(1), Duration.ofSeconds(1));
    TransferSpec spec = new TransferSpec("bucket", "key", "host", "/data/key", partsAtOnce, 0, TransferMode.DIRECT,
        false);
    ObjectInfo object = new ObjectInfo("key", SIZE, Instant.now(), "\"etag\"", Map.of());
    return new TransferAttempt("job1", spec, object, null, null, null, null, settings, null, partPool);
  }
}
