package dev.ferry.core.download;

import dev.ferry.core.store.ObjectInfo;
import dev.ferry.core.store.ObjectStore;
import dev.ferry.core.store.S3Location;
import java.io.IOException;
import java.io.InputStream;

/** Opens downloads for every session of every front-end, all drawing on one read-ahead budget. */
public final class Downloads {

  private final ObjectStore store;
  private final DownloadSettings settings;
  private final ReadAheadBudget budget;

  public Downloads(ObjectStore store, DownloadSettings settings) {
    this.store = store;
    this.settings = settings;
    this.budget = new ReadAheadBudget(settings.budgetRanges(), settings.memoryWait());
  }

  /**
   * Streams {@code file} (as a HEAD just described it) from {@code offset} to its end;
   * {@code wholeFile} when the reader will read to the end rather than seek. The first range is
   * requested before this returns (waiting, if need be, for read-ahead memory).
   */
  public InputStream open(S3Location location, ObjectInfo file, long offset, boolean wholeFile) throws IOException {
    if (offset >= file.size()) {
      return InputStream.nullInputStream();
    }
    RangedDownload download = new RangedDownload(store, location, file.etag(), offset, file.size(), settings, budget,
        wholeFile);
    download.start();
    return download;
  }

  /** Ranges not held by any download; the whole budget when none is open. */
  public int idleRanges() {
    return budget.available();
  }
}
