package dev.ferry.core.upload;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * The copy an {@link OffsetWriter} keeps of the bytes written to a file: a sparse temp file in the
 * spill directory (page cache, deleted when closed) and the byte ranges it holds, merged. Every
 * byte it holds is counted first against the node's spill space ({@link SpillShare}). Offsets are
 * the file's; the temp file starts at the file's {@link #startAt base} (the bytes before a resume
 * stay in S3). Up to {@link #IN_MEMORY_LIMIT} bytes are kept in memory and the temp file is made
 * only for a copy that grows past them: making, writing and deleting a file cost half a
 * millisecond of every small upload (sshfs and git write thousands of them), more than the rest of
 * the write. Guarded by the writer's lock.
 */
final class SpillFile {

  private final SpillShare share;
  private final Path directory;
  private final String description;
  /** Byte ranges held (start to end, merged). */
  private final TreeMap<Long, Long> ranges = new TreeMap<>();
  /** Bytes of {@link #share} this file holds: what {@link #ranges} covers. */
  private long heldInShare;
  private long base;
  /** Bytes kept in memory before a temp file is made: most files sshfs and git write are smaller. */
  static final int IN_MEMORY_LIMIT = 64 * 1024;

  private FileChannel channel;
  private Path path;
  /** The copy from {@link #base} on while there is no temp file; grown as it is written. */
  private byte[] memory = new byte[0];

  SpillFile(SpillShare share, Path directory, String description) {
    this.share = share;
    this.directory = directory;
    this.description = description;
  }

  /** The file's offset the temp file's first byte stands for; set before the first write. */
  void startAt(long base) {
    this.base = base;
  }

  /**
   * Keeps the bytes, after counting the ones it did not hold yet against the spill share.
   * {@code optional} (a copy of bytes written in order): returns false, writing nothing, when
   * there is no room now; otherwise waits for room or fails naming the limit.
   */
  boolean write(long position, byte[] bytes, int offset, int length, boolean optional) throws IOException {
    long added = length - overlap(position, position + length);
    if (added > 0) {
      if (optional) {
        if (!share.tryTake(added)) {
          return false;
        }
      } else {
        share.take(added, description, position);
      }
      heldInShare += added;
    }
    store(ByteBuffer.wrap(bytes, offset, length), position - base);
    add(position, position + length);
    return true;
  }

  /** Keeps the buffer's bytes at {@code at} (from {@link #base}): in memory while they fit, else in the file. */
  private void store(ByteBuffer buffer, long at) throws IOException {
    long end = at + buffer.remaining();
    if (channel == null && end <= IN_MEMORY_LIMIT) {
      if (end > memory.length) {
        memory = Arrays.copyOf(memory, (int) Math.max(end, Math.min(IN_MEMORY_LIMIT, 2L * memory.length)));
      }
      buffer.get(memory, (int) at, buffer.remaining());
      return;
    }
    if (channel == null) {
      openFile();
    }
    while (buffer.hasRemaining()) {
      at += channel.write(buffer, at);
    }
  }

  /** Makes the temp file, with what memory held so far. */
  private void openFile() throws IOException {
    Files.createDirectories(directory);
    path = Files.createTempFile(directory, "spill-", ".part");
    channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE,
        StandardOpenOption.DELETE_ON_CLOSE);
    ByteBuffer held = ByteBuffer.wrap(memory);
    long at = 0;
    while (held.hasRemaining()) {
      at += channel.write(held, at);
    }
    memory = new byte[0];
  }

  /** Reads into the buffer from {@code at} (from {@link #base}); -1 past the end of what is kept. */
  private int load(ByteBuffer into, long at) throws IOException {
    if (channel != null) {
      return channel.read(into, at);
    }
    int n = (int) Math.min(into.remaining(), memory.length - at);
    if (n <= 0) {
      return -1;
    }
    into.put(memory, (int) at, n);
    return n;
  }

  /**
   * Where the bytes it holds from {@code position} on end: {@code position} itself when it does
   * not hold that byte.
   */
  long heldUntil(long position) {
    Map.Entry<Long, Long> range = ranges.floorEntry(position);
    return range != null && range.getValue() > position ? range.getValue() : position;
  }

  /** The start of the first range it holds at or after {@code position}, or null. */
  Long nextStart(long position) {
    return ranges.ceilingKey(position);
  }

  /** Reads {@code length} bytes it holds at {@code position}. */
  void read(long position, byte[] bytes, int offset, int length) throws IOException {
    ByteBuffer into = ByteBuffer.wrap(bytes, offset, length);
    while (into.hasRemaining()) {
      if (load(into, position + into.position() - offset - base) < 0) {
        throw new IOException(description + ": spill file ended early at offset " + (position + into.position() - offset));
      }
    }
  }

  /** Sends the bytes it holds in [from, to) to {@code sink}. */
  void copyTo(OffsetWriter.Sink sink, long from, long to) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(OffsetWriter.COPY_BUFFER, to - from));
    long position = from;
    while (position < to) {
      buffer.clear().limit((int) Math.min(buffer.capacity(), to - position));
      int n = load(buffer, position - base);
      if (n < 0) {
        throw new IOException(description + ": spill file ended early at offset " + position);
      }
      sink.write(buffer.array(), 0, n);
      position += n;
    }
  }

  /** Drops what it holds from {@code size} on, and gives that room back to the spill share. */
  void truncate(long size) throws IOException {
    remove(size, Long.MAX_VALUE);
    if (channel != null) {
      channel.truncate(size - base);
    } else if (size - base < memory.length) {
      memory = Arrays.copyOf(memory, (int) Math.max(0, size - base));
    }
    long stillHeld = covered();
    share.give(heldInShare - stillHeld);
    heldInShare = stillHeld;
  }

  /** Forgets every range, gives the room back and deletes the temp file. */
  void close() {
    ranges.clear();
    memory = new byte[0];
    share.give(heldInShare);
    heldInShare = 0;
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException ignoredBecauseDeleteOnClose) {
        // the file goes away with the channel either way
      }
      channel = null;
    }
    if (path != null) {
      try {
        Files.deleteIfExists(path);
      } catch (IOException e) {
        // best effort: the directory is emptied at start as well
      }
      path = null;
    }
  }

  /** How many bytes of [start, end) it holds already. */
  private long overlap(long start, long end) {
    long overlap = 0;
    Map.Entry<Long, Long> before = ranges.lowerEntry(start);
    if (before != null && before.getValue() > start) {
      overlap += Math.min(before.getValue(), end) - start;
    }
    for (Map.Entry<Long, Long> range : ranges.subMap(start, true, end, false).entrySet()) {
      overlap += Math.min(range.getValue(), end) - range.getKey();
    }
    return overlap;
  }

  private long covered() {
    long covered = 0;
    for (Map.Entry<Long, Long> range : ranges.entrySet()) {
      covered += range.getValue() - range.getKey();
    }
    return covered;
  }

  private void add(long start, long end) {
    Map.Entry<Long, Long> before = ranges.floorEntry(start);
    if (before != null && before.getValue() >= start) {
      start = before.getKey();
      end = Math.max(end, before.getValue());
    }
    Iterator<Map.Entry<Long, Long>> after = ranges.tailMap(start, true).entrySet().iterator();
    while (after.hasNext()) {
      Map.Entry<Long, Long> range = after.next();
      if (range.getKey() > end) {
        break;
      }
      end = Math.max(end, range.getValue());
      after.remove();
    }
    ranges.put(start, end);
  }

  private void remove(long start, long end) {
    Map.Entry<Long, Long> before = ranges.lowerEntry(start);
    if (before != null && before.getValue() > start) {
      ranges.put(before.getKey(), start);
      if (before.getValue() > end) {
        ranges.put(end, before.getValue());
      }
    }
    Iterator<Map.Entry<Long, Long>> after = ranges.tailMap(start, true).entrySet().iterator();
    while (after.hasNext()) {
      Map.Entry<Long, Long> range = after.next();
      if (range.getKey() >= end) {
        break;
      }
      after.remove();
      if (range.getValue() > end) {
        ranges.put(end, range.getValue());
        break;
      }
    }
  }
}
