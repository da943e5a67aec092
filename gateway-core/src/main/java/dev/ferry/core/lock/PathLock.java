package dev.ferry.core.lock;

import dev.ferry.core.s3.S3Location;
import java.io.IOException;
import java.util.UUID;

/** A held lock on a key or a prefix; closing it releases it (idempotently). */
public final class PathLock implements AutoCloseable {

  private final String id = UUID.randomUUID().toString();
  private final PathLockTable table;
  private final S3Location location;
  private final boolean prefix;
  private final String purpose;
  private volatile boolean released;

  PathLock(PathLockTable table, S3Location location, boolean prefix, String purpose) {
    this.table = table;
    this.location = location;
    this.prefix = prefix;
    this.purpose = purpose;
  }

  public S3Location location() {
    return location;
  }

  String purpose() {
    return purpose;
  }

  String id() {
    return id;
  }

  boolean isPrefix() {
    return prefix;
  }

  /**
   * Fails unless this lock still holds: always, within one node; across nodes, unless this node
   * froze past its lease and another took the path over. A writer calls it just before it commits.
   */
  public void ensureHeld() throws IOException {
    if (released) {
      throw new IOException(location + ": the lock for " + purpose + " was already released");
    }
    table.ensureHeld(this);
  }

  boolean conflictsWith(PathLock other) {
    return location.bucket().equals(other.location.bucket())
        && conflicts(location.key(), prefix, other.location.key(), other.prefix);
  }

  /** Two locks in one bucket conflict when they are on the same key, or one is a prefix of the other's key. */
  static boolean conflicts(String a, boolean aIsPrefix, String b, boolean bIsPrefix) {
    return a.equals(b) || (aIsPrefix && b.startsWith(a)) || (bIsPrefix && a.startsWith(b));
  }

  @Override
  public void close() {
    if (!released) {
      released = true;
      table.release(this);
    }
  }
}
