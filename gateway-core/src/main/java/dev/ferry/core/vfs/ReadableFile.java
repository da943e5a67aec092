package dev.ferry.core.vfs;

import dev.ferry.core.bandwidth.Throttle;
import dev.ferry.core.download.DownloadShare;
import dev.ferry.core.download.Downloads;
import dev.ferry.core.path.VirtualPath;
import dev.ferry.core.s3.ObjectInfo;
import dev.ferry.core.s3.S3Location;
import dev.ferry.core.s3.StoreException;
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
 *
 * <p>A file opened from what its folder's listing said a moment ago (no HEAD) may have been
 * replaced or removed by another S3 client since: when the first range of a stream finds that
 * version gone, the file asks S3 once which version there is now and reads that one, as if it had
 * been opened a moment later.
 */
public final class ReadableFile implements AutoCloseable {

  /** Told once, at {@link #close()}, how many bytes the file's streams delivered. */
  @FunctionalInterface
  interface ReadEnd {
    void ended(long bytesSent);
  }

  /** The version S3 has now (a HEAD), for a file opened from a listing; throws when there is none. */
  @FunctionalInterface
  interface Recheck {
    ObjectInfo now() throws IOException;
  }

  private final VirtualPath path;
  private final String userName;
  private final S3Location key;
  /** The version read; replaced once if it came from a listing and S3 no longer has it. */
  private volatile ObjectInfo version;
  /** Null once the version is S3's answer of this open (a HEAD), not a listing's. */
  private volatile Recheck recheck;
  private final Downloads downloads;
  private final DownloadShare share;
  /** Paces what the streams deliver: the user's and the node's download limits. */
  private final Throttle pace;
  private final ReadEnd end;
  private final AtomicLong sent = new AtomicLong();
  private final AtomicBoolean closed = new AtomicBoolean();

  ReadableFile(VirtualPath path, String userName, S3Location key, ObjectInfo version, Recheck recheck,
      Downloads downloads, DownloadShare share, Throttle pace, ReadEnd end) {
    this.path = path;
    this.userName = userName;
    this.key = key;
    this.version = version;
    this.recheck = recheck;
    this.downloads = downloads;
    this.share = share;
    this.pace = pace;
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
    ObjectInfo reading = version;
    if (offset < 0 || offset > reading.size()) {
      throw new FileSystemException(path.toString(), null, "download by " + userName
          + ": offset " + offset + " is beyond the end of the file (" + reading.size() + " bytes)");
    }
    return new FilterInputStream(downloads.open(key, reading, offset, wholeFile, share)) {
      private long delivered;

      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) == -1 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] buffer, int at, int length) throws IOException {
        int n;
        try {
          n = in.read(buffer, at, length);
        } catch (IOException e) {
          if (delivered > 0 || !versionGone(e)) {
            throw e;
          }
          in.close();
          in = downloads.open(key, rechecked(reading), offset, wholeFile, share);
          n = in.read(buffer, at, length);
        }
        if (n > 0) {
          sent.addAndGet(n);
          delivered += n;
          pace.pass(n);
        }
        return n;
      }
    };
  }

  /**
   * Whether {@code e} says the version being read is no longer in S3 (replaced: its ETag no longer
   * matches; removed), while that version came from a listing and may be older than the open.
   */
  private boolean versionGone(IOException e) {
    if (recheck == null) {
      return false;
    }
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof StoreException store && (store.kind() == StoreException.Kind.PRECONDITION_FAILED
          || store.kind() == StoreException.Kind.NOT_FOUND)) {
        return true;
      }
    }
    return false;
  }

  /** The version S3 has now, in place of {@code stale}, asked once per open. */
  private synchronized ObjectInfo rechecked(ObjectInfo stale) throws IOException {
    Recheck asking = recheck;
    if (asking != null) {
      recheck = null;
      version = asking.now();
    }
    if (version == stale) {
      throw new IOException(path + ": download by " + userName + ": the file changed in S3 while it was opened");
    }
    return version;
  }

  /** The read is over: its streams are closed by their readers; this says how much they sent, once. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      end.ended(sent.get());
    }
  }
}
