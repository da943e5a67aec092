package dev.ferry.core.download;

/**
 * Read-ahead for downloads: the size of one ranged GET, how many one download keeps in flight,
 * and the memory all downloads together may hold in ranges.
 */
public record DownloadSettings(int rangeSize, int rangesAhead, long memoryBudget) {

  /** Ranges the whole budget holds; at least one, so every download can make progress. */
  int budgetRanges() {
    return (int) Math.max(1, memoryBudget / rangeSize);
  }
}
