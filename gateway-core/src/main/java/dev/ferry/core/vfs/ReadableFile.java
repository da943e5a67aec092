package dev.ferry.core.vfs;

import dev.ferry.core.download.DownloadShare;
import dev.ferry.core.download.Downloads;
import dev.ferry.core.path.VirtualPath;
import dev.ferry.core.s3.ObjectInfo;
import dev.ferry.core.s3.S3Location;
import dev.ferry.core.upload.CopySource;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileSystemException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A file opened for reading: the version it had when it was opened. Every stream taken from it
 * reads that version, so an SFTP handle that seeks (a new stream at each jump) fails its next read
 * once the file was overwritten, instead of mixing two versions. It counts the bytes its streams
 * deliver; {@link #close()} ends the read and tells whoever opened it how many were sent.
 */
public final class ReadableFile implements AutoCloseable {

  /** Told once, at {@link #close()}, how many bytes the file's streams delivered. */
  @FunctionalInterface
  interface ReadEnd {
    void ended(long bytesSent);
  }

  private final VirtualPath path;
  private final String userName;
  private final S3Location key;
  private final ObjectInfo version;
  private final Downloads downloads;
  private final DownloadShare share;
  private final ReadEnd end;
  private final AtomicLong sent = new AtomicLong();
  private final AtomicBoolean closed = new AtomicBoolean();

  ReadableFile(VirtualPath path, String userName, S3Location key, ObjectInfo version, Downloads downloads,
      DownloadShare share, ReadEnd end) {
    this.path = path;
    this.userName = userName;
    this.key = key;
    this.version = version;
    this.downloads = downloads;
    this.share = share;
    this.end = end;
  }

  public long size() {
    return version.size();
  }

  public boolean isOpen() {
    return !closed.get();
  }

  /** Bytes the file's streams have delivered so far. */
  public long sent() {
    return sent.get();
  }

  /** This file, as the source of a copy made inside S3: of the version this file reads. */
  public CopySource asCopySource() {
    return new CopySource(path.toString(), key, version, this::from);
  }

  /**
   * The bytes from {@code offset} to the end, for a reader that may stop or seek (SFTP). Read-ahead
   * memory is held from here until the stream is read to its end or closed: open it when reading.
   */
  public InputStream from(long offset) throws IOException {
    return open(offset, false);
  }

  /** The bytes from {@code offset} to the end, for a reader that reads them all: read-ahead at once. */
  InputStream wholeFrom(long offset) throws IOException {
    return open(offset, true);
  }

  private InputStream open(long offset, boolean wholeFile) throws IOException {
    if (offset < 0 || offset > version.size()) {
      throw new FileSystemException(path.toString(), null, "download by " + userName
          + ": offset " + offset + " is beyond the end of the file (" + version.size() + " bytes)");
    }
    return new FilterInputStream(downloads.open(key, version, offset, wholeFile, share)) {
      @Override
      public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
          sent.incrementAndGet();
        }
        return b;
      }

      @Override
      public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = in.read(buffer, offset, length);
        if (n > 0) {
          sent.addAndGet(n);
        }
        return n;
      }
    };
  }

  /** The read is over: its streams are closed by their readers; this says how much they sent, once. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      end.ended(sent.get());
    }
  }
}
