package dev.ferry.core.session;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * Throughput now: bytes per second by protocol and direction over the last {@code window}, as the
 * difference of two readings of {@link LiveTransfers#totals} ({@link #sample} is called every
 * second). No byte is counted twice: the totals are the files' own counters.
 */
public final class TransferRates {

  private record Sample(Instant at, Map<String, Long> totals) {}

  private final LiveTransfers transfers;
  private final Clock clock;
  private final Duration window;
  // Guarded by this: oldest first, the first one at or just before the window's start.
  private final Deque<Sample> samples = new ArrayDeque<>();

  public TransferRates(LiveTransfers transfers, Clock clock, Duration window) {
    this.transfers = transfers;
    this.clock = clock;
    this.window = window;
  }

  public Duration window() {
    return window;
  }

  /** Takes a reading; keeps the one reading older than the window that the rate is measured from. */
  public synchronized void sample() {
    Instant now = clock.instant();
    samples.addLast(new Sample(now, transfers.totals()));
    Instant start = now.minus(window);
    while (samples.size() > 2 && !second().at().isAfter(start)) {
      samples.removeFirst();
    }
  }

  private Sample second() {
    Iterator<Sample> oldestFirst = samples.iterator();
    oldestFirst.next();
    return oldestFirst.next();
  }

  /** Bytes per second by "PROTOCOL DIRECTION" since the oldest reading kept; empty until two readings. */
  public synchronized Map<String, Long> perSecond() {
    Map<String, Long> rates = new TreeMap<>();
    if (samples.size() < 2) {
      return rates;
    }
    Sample first = samples.getFirst();
    Sample last = samples.getLast();
    double seconds = Duration.between(first.at(), last.at()).toMillis() / 1000.0;
    if (seconds <= 0) {
      return rates;
    }
    last.totals().forEach((key, bytes) -> rates.put(key,
        Math.round(Math.max(0, bytes - first.totals().getOrDefault(key, 0L)) / seconds)));
    return rates;
  }
}
