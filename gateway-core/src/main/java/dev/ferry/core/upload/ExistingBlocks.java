package dev.ferry.core.upload;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.BitSet;

/**
 * The file an {@link OffsetWriter} replaces, as a handle opened for reading and writing reads it
 * where the client wrote nothing: fetched from S3 a block at a time at the first read of the block
 * and kept in a spill file, so that the reads after it cost no request (sqlite reads its header
 * before every transaction, and its pages again and again). The file is locked while it is being
 * written, so a kept block cannot go stale. The blocks count against the session's spill share;
 * without room a read goes to S3 each time instead.
 */
final class ExistingBlocks {

  static final int BLOCK = 1 << 20;
  private static final int COPY_BUFFER = 64 * 1024;

  private final OffsetWriter.Existing existing;
  private final long size;
  private final SpillShare share;
  private final Path directory;
  private final String description;
  private final BitSet kept = new BitSet();
  private FileChannel file;
  private long held;

  ExistingBlocks(OffsetWriter.Existing existing, long size, SpillShare share, Path directory, String description) {
    this.existing = existing;
    this.size = size;
    this.share = share;
    this.directory = directory;
    this.description = description;
  }

  /**
   * Reads at most {@code length} bytes at {@code position} (below the file's size), no further
   * than the end of that position's block; returns how many, at least one.
   */
  int read(long position, byte[] bytes, int offset, int length) throws IOException {
    int block = Math.toIntExact(position / BLOCK);
    long blockStart = (long) block * BLOCK;
    long blockEnd = Math.min(size, blockStart + BLOCK);
    int wanted = (int) Math.min(length, blockEnd - position);
    if (!kept.get(block) && !keep(block, blockStart, blockEnd)) {
      try (InputStream in = existing.readFrom(position)) {
        return fill(in, bytes, offset, wanted, position);
      }
    }
    ByteBuffer into = ByteBuffer.wrap(bytes, offset, wanted);
    while (into.hasRemaining()) {
      if (file.read(into, position + into.position() - offset) < 0) {
        throw new EOFException(description + ": kept copy of the replaced file ended early at offset "
            + (position + into.position() - offset));
      }
    }
    return wanted;
  }

  /** Fetches the block into the spill file; false, fetching nothing, when the share has no room. */
  private boolean keep(int block, long blockStart, long blockEnd) throws IOException {
    long length = blockEnd - blockStart;
    if (!share.tryTake(length)) {
      return false;
    }
    held += length;
    if (file == null) {
      Files.createDirectories(directory);
      Path path = Files.createTempFile(directory, "existing-", ".part");
      file = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE,
          StandardOpenOption.DELETE_ON_CLOSE);
    }
    byte[] buffer = new byte[(int) Math.min(COPY_BUFFER, length)];
    try (InputStream in = existing.readFrom(blockStart)) {
      for (long at = blockStart; at < blockEnd; ) {
        int n = fill(in, buffer, 0, (int) Math.min(buffer.length, blockEnd - at), at);
        ByteBuffer out = ByteBuffer.wrap(buffer, 0, n);
        while (out.hasRemaining()) {
          file.write(out, at + out.position());
        }
        at += n;
      }
    }
    kept.set(block);
    return true;
  }

  private int fill(InputStream in, byte[] bytes, int offset, int length, long position) throws IOException {
    int n = in.readNBytes(bytes, offset, length);
    if (n < length) {
      throw new EOFException(description + ": the file being replaced ended early at offset " + (position + n)
          + " of its " + size + " bytes");
    }
    return n;
  }

  /** Gives the spill space back and deletes the kept blocks. */
  void close() {
    share.give(held);
    held = 0;
    kept.clear();
    if (file != null) {
      try {
        file.close();
      } catch (IOException ignoredBecauseDeleteOnClose) {
        // the file goes away with the channel either way
      }
      file = null;
    }
  }
}
