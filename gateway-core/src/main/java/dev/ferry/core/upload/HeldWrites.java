package dev.ferry.core.upload;

import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes an {@link OffsetWriter} holds in memory ahead of its frontier until the frontier reaches
 * them: offset to bytes, never overlapping (a newer write replaces what it covers). Their memory is
 * taken from the session's {@link ReorderMemory} in whole chunks of the budget, and given back as
 * they are sent or dropped. Guarded by the writer's lock.
 */
final class HeldWrites {

  private final ReorderMemory memory;
  private final String description;
  private final TreeMap<Long, byte[]> held = new TreeMap<>();
  private long heldBytes;
  private int takenChunks;

  HeldWrites(ReorderMemory memory, String description) {
    this.memory = memory;
    this.description = description;
  }

  /**
   * Holds a copy of the bytes written at {@code position}, which the caller cleared of older held
   * bytes ({@link #drop}); waits for memory (bounded) or fails with the reason.
   */
  void hold(long position, byte[] bytes, int offset, int length) throws IOException {
    int needed = MemoryBudget.chunksFor(heldBytes + length) - takenChunks;
    if (needed > 0) {
      memory.take(needed, description, position);
      takenChunks += needed;
    }
    byte[] copy = new byte[length];
    System.arraycopy(bytes, offset, copy, 0, length);
    held.put(position, copy);
    heldBytes += length;
  }

  /** The held write starting at or before {@code position} (it may end before it), or null. */
  Map.Entry<Long, byte[]> startingAtOrBefore(long position) {
    return held.floorEntry(position);
  }

  /** The start of the first held write at or after {@code position}, or null. */
  Long nextStart(long position) {
    return held.ceilingKey(position);
  }

  /** Removes and returns the held write starting at or before {@code position}, or null; its memory goes back. */
  Map.Entry<Long, byte[]> takeStartingAtOrBefore(long position) {
    Map.Entry<Long, byte[]> write = held.floorEntry(position);
    if (write != null) {
      held.remove(write.getKey());
      release(write.getValue().length);
    }
    return write;
  }

  /** Removes held bytes in [start, end), which a newer write replaces; keeps their other parts. */
  void drop(long start, long end) {
    Map.Entry<Long, byte[]> before = held.lowerEntry(start);
    if (before != null && before.getKey() + before.getValue().length > start) {
      cut(before.getKey(), before.getValue(), start, end);
    }
    while (true) {
      Map.Entry<Long, byte[]> inside = held.ceilingEntry(start);
      if (inside == null || inside.getKey() >= end) {
        return;
      }
      cut(inside.getKey(), inside.getValue(), start, end);
    }
  }

  /** Drops every held write and gives all their memory back. */
  void clear() {
    held.clear();
    heldBytes = 0;
    memory.give(takenChunks);
    takenChunks = 0;
  }

  /** Replaces held bytes with their parts outside [start, end); they only shrink, so no new room. */
  private void cut(long at, byte[] bytes, long start, long end) {
    held.remove(at);
    long bytesEnd = at + bytes.length;
    int kept = 0;
    if (at < start) {
      kept += keep(at, bytes, 0, (int) (start - at));
    }
    if (bytesEnd > end) {
      kept += keep(end, bytes, (int) (end - at), (int) (bytesEnd - end));
    }
    release(bytes.length - kept);
  }

  private int keep(long at, byte[] bytes, int from, int length) {
    byte[] part = new byte[length];
    System.arraycopy(bytes, from, part, 0, length);
    held.put(at, part);
    return length;
  }

  private void release(int length) {
    heldBytes -= length;
    int surplus = takenChunks - MemoryBudget.chunksFor(heldBytes);
    if (surplus > 0) {
      memory.give(surplus);
      takenChunks -= surplus;
    }
  }
}
