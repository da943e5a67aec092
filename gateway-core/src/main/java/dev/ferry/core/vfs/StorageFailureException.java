package dev.ferry.core.vfs;

import java.nio.file.FileSystemException;

/** S3 failed or could not be reached; nothing the client asked for happened (or it was undone). */
public final class StorageFailureException extends FileSystemException {
  public StorageFailureException(String path, String reason, Throwable cause) {
    super(path, null, reason);
    initCause(cause);
  }
}
