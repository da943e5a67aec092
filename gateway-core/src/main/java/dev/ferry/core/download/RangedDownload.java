package dev.ferry.core.download;

import dev.ferry.core.memory.ChunkPool;
import dev.ferry.core.s3.RangeBytes;
import dev.ferry.core.s3.S3Location;
import dev.ferry.core.s3.StoreException;
import dev.ferry.core.store.ObjectStore;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * A file streamed from S3 as consecutive ranged GETs, several in flight ahead of the reader: one
 * S3 stream tops out well below what the network and the client can take, a few in parallel do
 * not. Each range is pinned to the version (ETag) the file had when it was opened, so a file
 * overwritten mid-download fails the read instead of mixing two versions.
 *
 * <p>A reader that seeks (SFTP random reads) opens a new download at each seek, so a download
 * starts small: one short first range, and read-ahead only once the reader has consumed half of
 * it, which a sequential reader does at once and a random one seldom does. A reader that says it
 * wants the whole file (FTP RETR) gets full ranges and read-ahead from the start.
 *
 * <p>Not thread-safe: one reader, as a protocol transfer is.
 */
public final class RangedDownload extends InputStream {

  private record Range(long start, int length, CompletableFuture<RangeBytes> bytes) {}

  /** The first range of a download: small, as the reader may want only a few bytes from here. */
  static final int FIRST_RANGE_SIZE = 256 * 1024;

  private final ObjectStore store;
  private final S3Location object;
  private final String etag;
  private final long end;
  private final int rangeSize;
  private final int rangesAhead;
  private final DownloadShare share;
  private final ChunkPool chunks;
  private final ArrayDeque<Range> inFlight = new ArrayDeque<>();
  private final long firstRangeEnd;
  /** Bytes handed to the reader so far. */
  private long delivered;
  /** Read-ahead starts once the reader took this many bytes: at once for a whole-file reader. */
  private final long readAheadAfter;

  private RangeBytes current;
  /** Bytes of the session's share that {@code current} holds: what its range asked for. */
  private int currentHeld;
  private int position;
  private long nextStart;
  private boolean closed;

  RangedDownload(ObjectStore store, S3Location object, String etag, long offset, long end,
      DownloadSettings settings, DownloadShare share, ChunkPool chunks, boolean wholeFile) {
    this.store = store;
    this.object = object;
    this.etag = Objects.requireNonNull(etag, "etag");
    this.end = end;
    this.rangeSize = settings.rangeSize();
    this.rangesAhead = settings.rangesAhead();
    this.share = share;
    this.chunks = chunks;
    this.nextStart = offset;
    this.firstRangeEnd = Math.min(end, offset + (wholeFile ? rangeSize : Math.min(rangeSize, FIRST_RANGE_SIZE)));
    this.readAheadAfter = wholeFile ? 0 : (firstRangeEnd - offset) / 2;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    return read(one, 0, 1) == -1 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] into, int offset, int length) throws IOException {
    Objects.checkFromIndexSize(offset, length, into.length);
    if (closed) {
      throw new IOException(object + ": download already closed");
    }
    if (length == 0) {
      return 0;
    }
    while (current == null || position == current.length()) {
      releaseCurrent();
      requestAhead();
      Range next = inFlight.poll();
      if (next == null) {
        return -1;
      }
      try {
        current = ObjectStore.await(next.bytes());
        currentHeld = next.length();
      } catch (StoreException e) {
        share.give(next.length());
        if (e.kind() != StoreException.Kind.PRECONDITION_FAILED) {
          throw e;
        }
        throw new IOException(object + " changed in S3 during the download (at byte " + next.start()
            + "); download it again", e);
      } catch (IOException e) {
        share.give(next.length());
        throw new IOException(object + " at byte " + next.start() + ": " + e.getMessage(), e);
      }
      position = 0;
    }
    requestAhead();
    int n = current.copy(position, into, offset, length);
    position += n;
    delivered += n;
    if (position == current.length() && inFlight.isEmpty() && nextStart >= end) {
      releaseCurrent(); // the last byte is out: a reader that keeps the file open holds nothing
    }
    return n;
  }

  private void releaseCurrent() {
    if (current != null) {
      current.release();
      share.give(currentHeld);
      current = null;
      currentHeld = 0;
    }
  }

  /**
   * Asks S3 for the first range at once, before the first read: the GET's latency then overlaps
   * the client's round trip between opening the file and reading it.
   */
  void start() throws IOException {
    requestAhead();
  }

  /**
   * Makes sure the next range is on its way, and keeps up to {@code rangesAhead} more in flight for
   * a reader that reads on, as far as the session's share and the shared budget allow.
   */
  private void requestAhead() throws IOException {
    int ahead = delivered >= readAheadAfter ? rangesAhead : 0;
    while (nextStart < end) {
      // Memory for what this range really holds: the end of a file is often much less than a range.
      int length = (int) Math.min(nextStart < firstRangeEnd ? firstRangeEnd - nextStart : rangeSize, end - nextStart);
      boolean nothingToServe = current == null && inFlight.isEmpty();
      if (nothingToServe) {
        share.take(length, object);
      } else if (inFlight.size() >= ahead || !share.tryTake(length)) {
        return;
      }
      inFlight.add(new Range(nextStart, length, store.readRange(object, nextStart, length, etag, chunks)));
      nextStart += length;
    }
  }

  /** Stops the ranges still in flight and gives their memory back. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    long held = 0;
    for (Range range : inFlight) {
      // cancel is false only for a range already done: one that arrived and was never read.
      if (!range.bytes().cancel(true) && !range.bytes().isCompletedExceptionally()) {
        range.bytes().join().release();
      }
      held += range.length();
    }
    inFlight.clear();
    share.give(held);
    releaseCurrent();
  }
}
