package dev.ferry.core.download;

import dev.ferry.core.memory.ChunkPool;
import dev.ferry.core.s3.ObjectInfo;
import dev.ferry.core.s3.S3Location;
import dev.ferry.core.store.ObjectStore;
import java.io.IOException;
import java.io.InputStream;

/**
 * Opens downloads for every session of every front-end, all drawing on one read-ahead budget, each
 * session within its share of it.
 */
public final class Downloads {

  private final ObjectStore store;
  private final DownloadSettings settings;
  private final ReadAheadBudget budget;
  /** The transfers' chunks, shared with uploads ({@link #idleBytesFor}). */
  private final ChunkPool chunks;

  public Downloads(ObjectStore store, DownloadSettings settings, ChunkPool chunks) {
    this.store = store;
    this.settings = settings;
    this.budget = new ReadAheadBudget(settings.memoryBudget(), settings.memoryWait());
    this.chunks = chunks;
  }

  /**
   * How many bytes of chunks the transfers' pool should keep idle for downloads: the whole budget.
   * Downloads may hold that much in flight anyway, so keeping it costs no more than their peak;
   * keeping less (a quarter, before) made every file of a many-file download allocate its
   * read-ahead afresh, and on a small heap those arrays outlived the young generation and died in
   * the old one: 37 full collections (1.8 s) in three downloads of 100 x 10 MiB at -Xmx256m,
   * against 3 (0.09 s) with the whole budget kept (issue 37).
   */
  public static long idleBytesFor(DownloadSettings settings) {
    return settings.memoryBudget();
  }

  /** A new session's share of the budget, which every download of that session draws on. */
  public DownloadShare newShare() {
    return new DownloadShare(budget, settings.sessionShare(), settings.sessionReadAhead());
  }

  /**
   * Streams {@code file} (as a HEAD just described it) from {@code offset} to its end;
   * {@code wholeFile} when the reader will read to the end rather than seek. The first range is
   * requested before this returns (waiting, if need be, for read-ahead memory): open a stream
   * only to read it at once, as memory is held from here until it is read or closed.
   */
  public InputStream open(S3Location location, ObjectInfo file, long offset, boolean wholeFile, DownloadShare share)
      throws IOException {
    if (offset >= file.size()) {
      return InputStream.nullInputStream();
    }
    RangedDownload download = new RangedDownload(store, location, file.etag(), offset, file.size(), settings, share,
        chunks, wholeFile);
    download.start();
    return download;
  }

  /** Bytes all downloads hold now, fetched or in flight; zero when none is open. */
  public long heldBytes() {
    return budget.heldBytes();
  }
}
