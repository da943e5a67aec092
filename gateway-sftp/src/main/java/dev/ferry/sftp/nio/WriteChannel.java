package dev.ferry.sftp.nio;

import dev.ferry.core.path.VirtualPath;
import dev.ferry.core.upload.OffsetWriter;
import dev.ferry.core.vfs.ExistingFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.NonReadableChannelException;
import java.nio.channels.SeekableByteChannel;

/**
 * A file opened for writing, or for reading and writing: every write goes to core's
 * {@link OffsetWriter} at its offset, and a read (of a file opened for both) gets what the file
 * holds now from it. Only
 * {@link #commit()} (called for the client's SSH_FXP_CLOSE) makes the file visible;
 * {@link #close()} aborts whatever was not committed, which is what a disconnect gets.
 */
public final class WriteChannel implements SeekableByteChannel {

  private final FerryFileSystem fileSystem;
  private final boolean readable;
  private VirtualPath path;
  private OffsetWriter writer;
  private long position;
  private boolean open = true;

  WriteChannel(FerryFileSystem fileSystem, VirtualPath path, OffsetWriter writer, boolean readable) {
    this.fileSystem = fileSystem;
    this.path = path;
    this.writer = writer;
    this.readable = readable;
    fileSystem.writing(path, this);
  }

  /** A rename in S3 of the file this handle writes. */
  @FunctionalInterface
  interface Rename {
    void to(VirtualPath target) throws IOException;
  }

  /**
   * The client renames the file while this handle still writes it, as a disk allows: what the file
   * holds is committed under its name and moved with it, and the handle writes on at the new name,
   * as a descriptor follows its file. sshfs renames a file a program deletes while it is still open
   * (FUSE hides it as .fuse_hidden…; sqlite's journal, every transaction); the rename failed, as
   * the object was not there yet, and sqlite stopped with "disk I/O error". When the rename fails
   * the handle writes on at the old name.
   */
  synchronized void follow(VirtualPath target, Rename rename) throws IOException {
    commit();
    VirtualPath at = path;
    try {
      rename.to(target);
      at = target;
    } finally {
      reopenAt(at);
    }
  }

  private void reopenAt(VirtualPath at) throws IOException {
    fileSystem.notWriting(path, this);
    path = at;
    writer = readable ? fileSystem.session().openReadWrite(at, ExistingFile.REQUIRED, false)
        : fileSystem.session().openAtOffsets(at, ExistingFile.REQUIRED, false);
    fileSystem.writing(at, this);
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
  public synchronized int read(ByteBuffer destination) throws IOException {
    if (!readable) {
      throw new NonReadableChannelException();
    }
    int n = writer.read(position, destination.array(), destination.arrayOffset() + destination.position(),
        destination.remaining());
    if (n > 0) {
      destination.position(destination.position() + n);
      position += n;
    }
    return n;
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
    fileSystem.notWriting(path, this);
    writer.close();
    fileSystem.forgetStats();
  }
}
