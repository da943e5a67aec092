package dev.ferry.core.download;

import dev.ferry.core.s3.S3Location;
import java.io.IOException;

/**
 * One session's part of the read-ahead budget: all its downloads together hold at most
 * {@code downloads.sessionShare} bytes, so that a client with many handles open (or many slow
 * readers) cannot take the memory every other session's downloads need. Within its share a session
 * draws on the shared budget like any download.
 *
 * <p>A download that needs a range and finds its session at its share fails at once instead of
 * waiting: the bytes come back only when that same session reads or closes its other files, and
 * one protocol session serves its requests one at a time, so waiting would wait for itself.
 */
public final class DownloadShare {

  private final ReadAheadBudget budget;
  private final long limit;
  /** Read-ahead stops here, short of the limit, so that the session's other files still get their ranges. */
  private final long readAheadLimit;
  /** Guarded by this. */
  private long held;

  DownloadShare(ReadAheadBudget budget, long limit, long readAheadLimit) {
    this.budget = budget;
    this.limit = limit;
    this.readAheadLimit = readAheadLimit;
  }

  /** Read-ahead: bytes if both the session's share and the shared budget have them now. */
  boolean tryTake(long bytes) {
    if (!reserve(bytes, readAheadLimit)) {
      return false;
    }
    if (!budget.tryTake(bytes)) {
      unreserve(bytes);
      return false;
    }
    return true;
  }

  /** A range the download cannot serve without: waits (bounded) for the shared budget only. */
  void take(long bytes, S3Location object) throws IOException {
    if (!reserve(bytes, limit)) {
      throw new IOException(object + ": download stopped, this session's open downloads already hold its share of "
          + "read-ahead memory (" + limit + " bytes, downloads.sessionShare); read or close the files it has open");
    }
    try {
      budget.take(bytes, object);
    } catch (IOException | RuntimeException e) {
      unreserve(bytes);
      throw e;
    }
  }

  void give(long bytes) {
    if (bytes > 0) {
      unreserve(bytes);
      budget.give(bytes);
    }
  }

  /** Bytes this session's downloads hold now. */
  public synchronized long heldBytes() {
    return held;
  }

  private synchronized boolean reserve(long bytes, long upTo) {
    if (held + bytes > upTo) {
      return false;
    }
    held += bytes;
    return true;
  }

  private synchronized void unreserve(long bytes) {
    held -= bytes;
  }
}
