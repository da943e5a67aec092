package dev.ferry.core.lock;

import dev.ferry.core.store.S3Location;

/** A held lock on a key or a prefix; closing it releases it (idempotently). */
public final class PathLock implements AutoCloseable {

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

  boolean conflictsWith(PathLock other) {
    if (!location.bucket().equals(other.location.bucket())) {
      return false;
    }
    String a = location.key();
    String b = other.location.key();
    if (a.equals(b)) {
      return true;
    }
    return (prefix && b.startsWith(a)) || (other.prefix && a.startsWith(b));
  }

  @Override
  public void close() {
    if (!released) {
      released = true;
      table.release(this);
    }
  }
}
