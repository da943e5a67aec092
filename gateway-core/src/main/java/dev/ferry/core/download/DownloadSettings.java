package dev.ferry.core.download;
import java.time.Duration;

/**
 * Read-ahead for downloads: the size of one ranged GET, how many one download keeps in flight,
 * the memory all downloads together may hold in ranges, and how long a download with nothing to
 * serve waits for some of that memory before it fails.
 */
public record DownloadSettings(int rangeSize, int rangesAhead, long memoryBudget, Duration memoryWait) {

  /** Ranges the whole budget holds; at least one, so every download can make progress. */
  int budgetRanges() {
    return (int) Math.max(1, memoryBudget / rangeSize);
  }
}
