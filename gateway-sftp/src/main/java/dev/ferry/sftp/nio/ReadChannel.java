package dev.ferry.sftp.nio;

import dev.ferry.core.vfs.ReadableFile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.SeekableByteChannel;

/**
 * A file opened for reading: one core download stream from the current position. SFTP reads carry
 * their offset; a read anywhere else than where the stream is closes it and opens a new one there
 * (a new ranged GET), so sequential reads stream and random reads work. Every stream reads the
 * version the file had at open.
 */
final class ReadChannel implements SeekableByteChannel {

  private final ReadableFile file;
  private final long size;
  private InputStream stream;
  private long streamPosition;
  private long position;
  private boolean open = true;

  /**
   * Opens no stream yet: a stream holds read-ahead memory of the session's share from its first
   * GET on, and a handle that is opened and never read (a client can open hundreds) must hold none.
   */
  ReadChannel(ReadableFile file) {
    this.file = file;
    this.size = file.size();
  }

  ReadableFile file() {
    return file;
  }

  @Override
  public synchronized int read(ByteBuffer destination) throws IOException {
    ensureOpen();
    if (position >= size) {
      return -1;
    }
    if (stream == null || streamPosition != position) {
      closeStream();
      stream = file.from(position);
      streamPosition = position;
    }
    // Fill the whole request where the file has the bytes: a short read costs the client a round trip.
    int total = 0;
    while (destination.hasRemaining() && position < size) {
      int n = stream.read(destination.array(), destination.arrayOffset() + destination.position(),
          (int) Math.min(destination.remaining(), size - position));
      if (n < 0) {
        break;
      }
      destination.position(destination.position() + n);
      position += n;
      streamPosition = position;
      total += n;
    }
    return total == 0 ? -1 : total;
  }

  @Override
  public int write(ByteBuffer source) {
    throw new NonWritableChannelException();
  }

  @Override
  public synchronized long position() {
    return position;
  }

  @Override
  public synchronized SeekableByteChannel position(long newPosition) {
    position = newPosition;
    return this;
  }

  @Override
  public long size() {
    return size;
  }

  @Override
  public SeekableByteChannel truncate(long newSize) {
    throw new NonWritableChannelException();
  }

  @Override
  public synchronized boolean isOpen() {
    return open;
  }

  @Override
  public synchronized void close() throws IOException {
    open = false;
    try {
      closeStream();
    } finally {
      file.close();
    }
  }

  private void closeStream() throws IOException {
    if (stream != null) {
      InputStream old = stream;
      stream = null;
      old.close();
    }
  }

  private void ensureOpen() throws IOException {
    if (!open) {
      throw new java.nio.channels.ClosedChannelException();
    }
  }
}
