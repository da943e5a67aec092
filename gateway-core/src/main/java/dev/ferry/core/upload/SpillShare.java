package dev.ferry.core.upload;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;

/**
 * One session's part of {@link SpillSpace}, which all its files written at offsets share. A write
 * that needs its bytes in the spill file (held ahead of a gap, or rewriting bytes already sent)
 * and finds no room waits for other sessions to give some back, up to {@code uploads.memoryWait},
 * then fails naming the limit; beyond the session's own share it fails at once, as only this
 * session's own writes could free it. A file written in order only keeps its spill copy while
 * there is room ({@link #tryTake}): without one it is uploaded the same, only not rewritable.
 */
public final class SpillShare {

  private final SpillSpace space;
  private final String user;
  /** Guarded by this. */
  private long held;

  SpillShare(SpillSpace space, String user) {
    this.space = space;
    this.user = user;
  }

  /** Takes {@code bytes} for {@code description}'s write at {@code position}, or fails saying which limit is full. */
  void take(long bytes, String description, long position) throws IOException {
    String full = reserve(bytes, space.limits().waitForRoom());
    if (full != null) {
      throw new IOException(description + ": write at offset " + position + " needs " + bytes + " more bytes of "
          + "spill space on this node and " + full + " is full; write the file in order, close other files, or "
          + "try again later");
    }
  }

  /** Takes {@code bytes} if there is room now; false, taking nothing, when not. */
  boolean tryTake(long bytes) {
    try {
      return reserve(bytes, Duration.ZERO) == null;
    } catch (InterruptedIOException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  void give(long bytes) {
    if (bytes <= 0) {
      return;
    }
    synchronized (this) {
      held -= bytes;
    }
    space.give(user, bytes);
  }

  /** Bytes this session's spill files hold now. */
  public synchronized long heldBytes() {
    return held;
  }

  private String reserve(long bytes, Duration wait) throws InterruptedIOException {
    synchronized (this) {
      if (held + bytes > space.limits().perSession()) {
        return "uploads.spillPerSession (" + space.limits().perSession() + " bytes)";
      }
      held += bytes;
    }
    String full;
    try {
      full = space.take(user, bytes, wait);
    } catch (InterruptedException e) {
      synchronized (this) {
        held -= bytes;
      }
      throw new InterruptedIOException("interrupted waiting for spill space");
    }
    if (full != null) {
      synchronized (this) {
        held -= bytes;
      }
    }
    return full;
  }
}
