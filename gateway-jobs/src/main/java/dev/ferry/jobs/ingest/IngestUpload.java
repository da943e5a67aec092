package dev.ferry.jobs.ingest;

import dev.ferry.core.event.EventBus;
import dev.ferry.core.event.Origin;
import dev.ferry.core.lock.PathBusyException;
import dev.ferry.core.lock.PathLock;
import dev.ferry.core.lock.PathLockTable;
import dev.ferry.core.store.S3Location;
import dev.ferry.core.upload.StreamingUpload;
import dev.ferry.core.upload.Uploads;
import java.io.IOException;

/**
 * Opens the upload of a file that ingest (a sync, a watched folder) brings into S3 the way a client's
 * upload is opened: the object's path lock first, so that a client's upload, delete or rename of the
 * same key and this upload never overlap; the upload owns the lock from then on. Its end is published
 * as a client's is, with the sync or folder as its origin.
 */
public final class IngestUpload {

  private IngestUpload() {}

  /** @throws IOException when the key is busy (a client's transfer of it), or S3 refuses the upload */
  public static StreamingUpload open(Uploads uploads, PathLockTable locks, S3Location target, String description,
      EventBus events, Origin origin) throws IOException {
    PathLock lock;
    try {
      lock = locks.lockKey(target, description);
    } catch (PathBusyException e) {
      throw new IOException(target + " is busy (a client's upload, delete or rename of it is in progress): "
          + e.getMessage(), e);
    }
    try {
      StreamingUpload upload = uploads.open(target, lock, description, 0);
      upload.whenEnded(outcome -> events.uploadEnded(origin, null, target, outcome));
      return upload;
    } catch (IOException | RuntimeException e) {
      lock.close();
      throw e;
    }
  }
}
