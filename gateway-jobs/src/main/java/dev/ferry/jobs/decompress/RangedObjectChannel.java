package dev.ferry.jobs.decompress;

import dev.ferry.core.object.ObjectOperations;
import dev.ferry.core.s3.ObjectInfo;
import dev.ferry.core.s3.RangeBytes;
import dev.ferry.core.s3.S3Location;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.SeekableByteChannel;

/**
 * One version of an S3 object as a read-only {@link SeekableByteChannel}, read with ranged GETs: what
 * a zip reader needs to find the central directory at the end of an archive and then read only the
 * entries, without fetching the object whole or keeping a local copy. Every GET is pinned to the
 * ETag the object had when the channel was opened, so an object replaced meanwhile fails the read
 * instead of mixing two versions.
 *
 * <p>It holds one window of the object. A read outside it fetches a new one, which starts small
 * (a seek to the central directory, an entry's local header) and doubles while the reads go on
 * from where the last window ended, up to its most ({@link #MAX_WINDOW} at the most): a large
 * entry streams in few GETs, and memory stays bounded whatever the archive.
 */
public final class RangedObjectChannel implements SeekableByteChannel {

  public static final int MIN_WINDOW = 64 * 1024;
  public static final int MAX_WINDOW = 8 * 1024 * 1024;

  private final ObjectOperations objects;
  private final S3Location at;
  private final long size;
  private final String etag;
  private final int maxWindow;
  private RangeBytes window = RangeBytes.EMPTY;
  private long windowStart;
  private int nextWindow = MIN_WINDOW;
  private long position;
  private long gets;
  private boolean open = true;

  public RangedObjectChannel(ObjectOperations objects, S3Location at, ObjectInfo info) {
    this(objects, at, info, MAX_WINDOW);
  }

  /** {@code maxWindow}: the most it holds at once, from {@link #MIN_WINDOW} to {@link #MAX_WINDOW}. */
  public RangedObjectChannel(ObjectOperations objects, S3Location at, ObjectInfo info, int maxWindow) {
    this.objects = objects;
    this.at = at;
    this.size = info.size();
    this.etag = info.etag();
    this.maxWindow = Math.max(MIN_WINDOW, Math.min(MAX_WINDOW, maxWindow));
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    ensureOpen();
    if (position >= size) {
      return -1;
    }
    if (!dst.hasRemaining()) {
      return 0;
    }
    if (position < windowStart || position >= windowStart + window.length()) {
      fetchWindowAt(position);
    }
    int within = (int) (position - windowStart);
    int total = 0;
    byte[] chunk = dst.hasArray() ? null : new byte[Math.min(dst.remaining(), 64 * 1024)];
    while (dst.hasRemaining() && within < window.length()) {
      int n;
      if (chunk == null) {
        n = window.copy(within, dst.array(), dst.arrayOffset() + dst.position(), dst.remaining());
        dst.position(dst.position() + n);
      } else {
        n = window.copy(within, chunk, 0, Math.min(chunk.length, dst.remaining()));
        dst.put(chunk, 0, n);
      }
      within += n;
      total += n;
    }
    position += total;
    return total;
  }

  /**
   * A window from {@code offset} on, or for a seek near the end (where a zip reader looks for the
   * directory, a few bytes at a time backwards) the last {@link #MIN_WINDOW} bytes of the object.
   */
  private void fetchWindowAt(long offset) throws IOException {
    boolean sequential = offset == windowStart + window.length() && window.length() > 0;
    nextWindow = sequential ? Math.min(maxWindow, nextWindow * 2) : MIN_WINDOW;
    long start = sequential ? offset : Math.max(0, Math.min(offset, size - MIN_WINDOW));
    int length = (int) Math.min(nextWindow, size - start);
    window = RangeBytes.EMPTY; // the old window goes before the new one arrives
    window = ObjectOperations.await(objects.readRange(at, start, length, etag));
    windowStart = start;
    gets++;
    if (window.length() != length) {
      throw new IOException("reading " + at + " at " + start + ": S3 answered " + window.length() + " of "
          + length + " bytes");
    }
  }

  /** How many ranged GETs it has made: what a test of "read through the central directory" checks. */
  public long gets() {
    return gets;
  }

  @Override
  public long position() throws IOException {
    ensureOpen();
    return position;
  }

  @Override
  public SeekableByteChannel position(long newPosition) throws IOException {
    ensureOpen();
    if (newPosition < 0) {
      throw new IllegalArgumentException("negative position " + newPosition + " in " + at);
    }
    position = newPosition;
    return this;
  }

  @Override
  public long size() throws IOException {
    ensureOpen();
    return size;
  }

  @Override
  public int write(ByteBuffer src) {
    throw new NonWritableChannelException();
  }

  @Override
  public SeekableByteChannel truncate(long newSize) {
    throw new NonWritableChannelException();
  }

  @Override
  public boolean isOpen() {
    return open;
  }

  @Override
  public void close() {
    open = false;
    window = RangeBytes.EMPTY;
  }

  private void ensureOpen() throws ClosedChannelException {
    if (!open) {
      throw new ClosedChannelException();
    }
  }
}
