package dev.ferry.jobs.sync;

import dev.ferry.core.event.Origin;
import dev.ferry.core.object.ObjectChange;
import dev.ferry.core.object.ObjectOperations;
import dev.ferry.core.s3.S3Location;
import dev.ferry.core.upload.StreamingUpload;
import dev.ferry.jobs.engine.RunningJob;
import dev.ferry.jobs.remote.RemoteEntry;
import dev.ferry.jobs.remote.RemoteFiles;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import java.util.function.LongConsumer;

/**
 * Copies one remote file into its object through core's upload path (the path lock, a multipart
 * upload as the bytes arrive, the SHA-256 computed on the way, the object visible only at the
 * commit), with the remote's modification time as the object's time. A file whose size or time
 * differs after the copy from what the listing said (still being written, replaced) is not
 * committed: {@link FileChanged} says so, and the next run takes it.
 */
final class FileCopy {

  /** Bytes read from the remote per call: a few of SFTP's 32 KiB read requests. */
  private static final int BUFFER = 256 * 1024;

  record Copied(long size, String sha256) {}

  /** The file changed while it was copied; nothing was committed. */
  static final class FileChanged extends Exception {
    FileChanged(String message) {
      super(message);
    }
  }

  private final ObjectOperations objects;
  private final Origin origin;

  FileCopy(ObjectOperations objects, Origin origin) {
    this.objects = objects;
    this.origin = origin;
  }

  Copied copy(RemoteFiles remote, RemoteTree.RemoteFile file, S3Location target, String purpose, LongConsumer progress,
      RunningJob job) throws IOException, FileChanged {
    StreamingUpload upload = objects.upload(target, ObjectChange.by(origin, purpose + ": " + file.path() + " -> " + target));
    try {
      long read = 0;
      try (InputStream in = remote.read(file.path())) {
        byte[] buffer = new byte[BUFFER];
        for (int n; (n = in.read(buffer)) >= 0; ) {
          upload.write(buffer, 0, n);
          read += n;
          progress.accept(n);
        }
      }
      Optional<RemoteEntry> after = remote.stat(file.path());
      if (read != file.size() || after.isEmpty() || after.get().size() != file.size()
          || !after.get().modified().equals(file.modified())) {
        throw new FileChanged(file.path() + " changed while it was copied (listed " + file.size() + " bytes at "
            + file.modified() + ", read " + read + ", now " + after.map(e -> e.size() + " bytes at " + e.modified())
            .orElse("gone") + "): not committed, the next run takes it");
      }
      upload.setClientTime(file.modified());
      job.ensureHeld(); // fencing: a node that lost the job commits nothing
      upload.commit();
      return new Copied(read, upload.sha256());
    } finally {
      upload.abort("the copy of " + file.path() + " did not complete"); // a no-op once committed
    }
  }
}
