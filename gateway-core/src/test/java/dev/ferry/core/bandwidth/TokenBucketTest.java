package dev.ferry.core.bandwidth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import java.util.ArrayList;
import java.util.List;

class TokenBucketTest {

  private static final long MIB = 1024 * 1024;
  private static final long SECOND = 1_000_000_000L;

  /** A clock the test moves, and the waits the bucket asked for (not slept). */
  private long now = 5 * SECOND;
  private final List<Long> waits = new ArrayList<>();

  private TokenBucket bucket(long bytesPerSecond) {
    return new TokenBucket(bytesPerSecond, () -> now, waits::add);
  }

  @Test
  void aTenthOfASecondGoesAtOnce_thenEachByteWaitsItsShare() throws Exception {
    TokenBucket bucket = bucket(10 * MIB);

    bucket.pass((int) MIB);
    bucket.pass((int) (5 * MIB));

    assertEquals(List.of(500_000_000L), waits, "1 MiB was the burst; 5 MiB more at 10 MiB/s is half a second");
  }

  @Test
  void overAnyStretch_noMoreThanTheRatePlusOneBurstGoes() {
    TokenBucket bucket = bucket(2 * MIB);
    long burst = 2 * MIB / 10;
    long sent = 0;
    long start = now;
    for (int i = 0; i < 1000; i++) {
      long wait = bucket.take(32 * 1024);
      now += wait;
      sent += 32 * 1024;
    }
    double seconds = (now - start) / 1e9;
    assertEquals(sent - burst, 2 * MIB * seconds, 1.0, "bytes sent after the burst, at exactly 2 MiB/s");
  }

  @Test
  void idleTime_refillsNoMoreThanTheBurst() {
    TokenBucket bucket = bucket(512 * 1024);
    now += 3600 * SECOND;

    assertEquals(0, bucket.take(64 * 1024), "64 KiB is the least burst (a tenth of 512 KiB/s is less)");
    assertEquals(SECOND, bucket.take(512 * 1024), "an hour idle did not save an hour of bytes");
  }

  @Test
  void takersSharingABucket_waitBehindEachOthersDebt() {
    TokenBucket bucket = bucket(512 * 1024);
    bucket.take(64 * 1024);

    long first = bucket.take(512 * 1024);
    long second = bucket.take(512 * 1024);

    assertEquals(SECOND, first);
    assertEquals(2 * SECOND, second, "the second waits out the first's bytes too: together they keep to the rate");
  }

  @Test
  void zeroRate_refused() {
    assertThrows(IllegalArgumentException.class, () -> new TokenBucket(0));
  }

  @Test
  void nodeBandwidth_sessionsOfAUserShareTheirBuckets_aChangedLimitGetsNewOnes() {
    NodeBandwidth node = new NodeBandwidth(BandwidthLimit.NONE);
    BandwidthLimit limit = new BandwidthLimit(MIB, 0);

    NodeBandwidth.Throttles first = node.forUser("alice", limit);
    NodeBandwidth.Throttles second = node.forUser("alice", limit);
    NodeBandwidth.Throttles changed = node.forUser("alice", new BandwidthLimit(2 * MIB, 0));

    assertSame(first.upload(), second.upload());
    assertSame(Throttle.NONE, first.download(), "no download limit, none at the node: nothing to pass");
    assertNotSame(first.upload(), changed.upload());
    assertSame(Throttle.NONE, node.forUser("bob", BandwidthLimit.NONE).upload());
  }
}
