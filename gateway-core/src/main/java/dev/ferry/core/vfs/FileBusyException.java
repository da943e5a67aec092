package dev.ferry.core.vfs;

import java.nio.file.FileSystemException;

/** Another session is writing, deleting or renaming the path; the caller may try again later. */
public final class FileBusyException extends FileSystemException {
  public FileBusyException(String path, String reason) {
    super(path, null, reason);
  }
}
