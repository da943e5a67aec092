package dev.ferry.core.vfs;

import java.nio.file.FileSystemException;

/**
 * A file operation (upload, delete, truncate) on a path that is a directory. The JDK has no such
 * exception; the front-ends answer it with their own code for it (SFTP's FILE_IS_A_DIRECTORY where
 * the client's version has one).
 */
public final class IsADirectoryException extends FileSystemException {
  public IsADirectoryException(String path, String reason) {
    super(path, null, reason);
  }
}
