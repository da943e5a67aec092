package dev.ferry.core.download;
import java.time.Duration;

/**
 * Read-ahead for downloads: the size of one ranged GET, how many one download keeps in flight,
 * the memory all downloads together may hold in ranges, the part of it one session's downloads
 * may hold, and how long a download with nothing to serve waits for memory before it fails.
 */
public record DownloadSettings(int rangeSize, int rangesAhead, long memoryBudget, long sessionShare,
    Duration memoryWait) {

  /**
   * How much of a session's share read-ahead may take: half, so that the files a session reads in
   * parallel get their ranges while some read ahead, but never less than one download at full
   * read-ahead (when the share has room for it and a range more).
   */
  long sessionReadAhead() {
    return Math.max(sessionShare / 2, Math.min(sessionShare - rangeSize, (rangesAhead + 1L) * rangeSize));
  }

  /**
   * The default share of one session: an eighth of the budget, so that a few sessions cannot take
   * it all, and at least one download at full read-ahead plus the first range of a second file.
   */
  public static long defaultSessionShare(long rangeSize, int rangesAhead, long memoryBudget) {
    return Math.min(memoryBudget, Math.max(memoryBudget / 8, (rangesAhead + 2) * rangeSize));
  }
}
