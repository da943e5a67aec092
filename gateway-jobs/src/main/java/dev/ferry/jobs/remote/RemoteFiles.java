package dev.ferry.jobs.remote;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/** The SFTP operations jobs need on the remote; paths are absolute remote paths. */
public interface RemoteFiles {

  /** The entries of a directory, without "." and "..", each as lstat sees it. */
  List<RemoteEntry> list(String directory) throws IOException;

  /** What is at {@code path}, links followed; empty when nothing is. */
  Optional<RemoteEntry> stat(String path) throws IOException;

  /** The absolute path with every link and "." or ".." resolved (realpath on the remote). */
  String realPath(String path) throws IOException;

  /** Reads the file from its start, several read requests in flight ahead of the reader. */
  InputStream read(String path) throws IOException;

  /**
   * The first {@code limit} bytes of a small file (a part's saved headers), read in one call that
   * other threads' calls on the same session wait for.
   */
  byte[] readStart(String path, int limit) throws IOException;

  /** Removes a file. */
  void remove(String path) throws IOException;

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
