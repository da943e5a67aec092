package dev.ferry.jobs.remote;

import java.io.IOException;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;

/** The SFTP operations a transfer needs on the remote; paths are absolute remote paths. */
public interface RemoteFiles {

  /** The size of a regular file, or empty when nothing exists at the path. */
  OptionalLong size(String path) throws IOException;

  boolean exists(String path) throws IOException;

  /** Creates the directory and any missing parents. */
  void mkdirs(String directory) throws IOException;

  /** Renames, replacing an existing {@code to} (posix-rename@openssh.com). */
  void rename(String from, String to) throws IOException;

  /** Removes a directory with everything in it (a staging folder); nothing there is fine. */
  void removeTree(String directory) throws IOException;

  /** Removes a directory if it is empty; one that is not, or is not there, stays as it is. */
  void removeIfEmpty(String directory) throws IOException;

  void setModified(String path, Instant time) throws IOException;

  /** statvfs@openssh.com on the path, or empty when the server does not offer it. */
  Optional<FreeSpace> statvfs(String path) throws IOException;

  /** Creates (or empties) the file and returns a writer at offsets into it. */
  RemoteWriter create(String path) throws IOException;

  /** Opens an existing file for writes at offsets, without truncating it. */
  RemoteWriter openForWrite(String path) throws IOException;

  /** Writes at offsets into one open remote file. */
  interface RemoteWriter extends AutoCloseable {
    void write(long offset, byte[] data, int from, int length) throws IOException;

    @Override
    void close() throws IOException;
  }
}
