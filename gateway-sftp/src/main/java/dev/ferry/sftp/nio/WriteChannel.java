package dev.ferry.sftp.nio;

import dev.ferry.core.upload.OffsetWriter;
import dev.ferry.core.vfs.GatewayFileSystem;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.NonReadableChannelException;
import java.nio.channels.SeekableByteChannel;

/**
 * A file opened for writing: every write goes to core's {@link OffsetWriter} at its offset. Only
 * {@link #commit()} (called for the client's SSH_FXP_CLOSE) makes the file visible;
 * {@link #close()} aborts whatever was not committed, which is what a disconnect gets.
 */
public final class WriteChannel implements SeekableByteChannel {

  private final FerryFileSystem fileSystem;
  private final OffsetWriter writer;
  private long position;
  private boolean open = true;

  WriteChannel(FerryFileSystem fileSystem, OffsetWriter writer) {
    this.fileSystem = fileSystem;
    this.writer = writer;
  }

  @Override
  public synchronized int write(ByteBuffer source) throws IOException {
    int length = source.remaining();
    if (source.hasArray()) {
      writer.write(position, source.array(), source.arrayOffset() + source.position(), length);
    } else {
      byte[] copy = new byte[length];
      source.duplicate().get(copy);
      writer.write(position, copy, 0, length);
    }
    source.position(source.limit());
    position += length;
    return length;
  }

  /**
   * Makes this file, still empty, a copy of the whole file {@code source} reads, made inside S3
   * when it is committed. Returns false, changing nothing, when {@code source} is not a file of this
   * server opened for reading, or when {@link OffsetWriter#startAsCopyOf} declines: the caller then
   * copies byte by byte.
   */
  public boolean startAsCopyOf(SeekableByteChannel source) throws IOException {
    return source instanceof ReadChannel reading && writer.startAsCopyOf(reading.file().asCopySource());
  }

  /** Makes the file visible in S3; throws (and leaves nothing) when that fails. */
  public void commit() throws IOException {
    try {
      writer.commit();
    } finally {
      fileSystem.forgetStats();
    }
  }

  @Override
  public int read(ByteBuffer destination) {
    throw new NonReadableChannelException();
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
    return writer.size();
  }

  @Override
  public SeekableByteChannel truncate(long size) throws IOException {
    writer.truncate(size);
    return this;
  }

  @Override
  public synchronized boolean isOpen() {
    return open;
  }

  /** Never commits: aborts the file unless {@link #commit()} succeeded before. */
  @Override
  public synchronized void close() {
    open = false;
    writer.close();
    fileSystem.forgetStats();
  }
}
