package dev.ferry.core.lock;

import dev.ferry.core.s3.S3Location;
import dev.ferry.core.state.StateStoreException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One writer per S3 key across every session and protocol. A lock is either on one key (an upload,
 * a delete, one side of a file rename) or on a whole prefix (a directory rename or removal), and
 * two locks conflict when one covers the other. Locks are never waited for: a conflict is refused
 * at once, which the front-ends report as "busy". Readers take no lock and see the last complete
 * version, which is what S3 gives them anyway.
 *
 * <p>When nodes share the state store, a lock held here is also recorded there
 * ({@link SharedPathLocks}), so the same rules hold across nodes; this table answers conflicts
 * within the node without asking the store.
 */
public final class PathLockTable {

  private final List<PathLock> held = new ArrayList<>();
  /** Null when this node is the only one (the embedded store). */
  private final SharedPathLocks shared;

  /** Locks within this node only. */
  public PathLockTable() {
    this(null);
  }

  public PathLockTable(SharedPathLocks shared) {
    this.shared = shared;
  }

  /** Locks one key for {@code purpose}, or throws naming who holds it. */
  public PathLock lockKey(S3Location key, String purpose) throws PathBusyException, StateStoreException {
    return acquire(List.of(new PathLock(this, key, false, purpose))).get(0);
  }

  /** Locks every key under {@code prefix}, including ones created later while it is held. */
  public PathLock lockPrefix(S3Location prefix, String purpose) throws PathBusyException, StateStoreException {
    return acquire(List.of(new PathLock(this, prefix, true, purpose))).get(0);
  }

  /**
   * Takes several locks at once or none of them, so that a rename holding its source never waits
   * on its target (no lock order to get wrong, no deadlock).
   */
  public List<PathLock> acquire(List<PathLock> wanted) throws PathBusyException, StateStoreException {
    synchronized (this) {
      for (PathLock want : wanted) {
        for (PathLock have : held) {
          if (have.conflictsWith(want)) {
            throw new PathBusyException(want.location(), have.purpose());
          }
        }
      }
      held.addAll(wanted);
    }
    if (shared == null) {
      return wanted;
    }
    // Held here already, so a session of this node that wants the same path is refused meanwhile,
    // but the store's round trip is made outside the table: sessions locking other paths go on.
    boolean recorded = false;
    try {
      shared.acquire(wanted);
      recorded = true;
    } finally {
      if (!recorded) {
        synchronized (this) {
          held.removeAll(wanted);
        }
      }
    }
    return wanted;
  }

  public PathLock newKeyLock(S3Location key, String purpose) {
    return new PathLock(this, key, false, purpose);
  }

  public PathLock newPrefixLock(S3Location prefix, String purpose) {
    return new PathLock(this, prefix, true, purpose);
  }

  void release(PathLock lock) {
    boolean wasHeld;
    synchronized (this) {
      wasHeld = held.remove(lock);
    }
    if (wasHeld && shared != null) {
      shared.release(lock);
    }
  }

  void ensureHeld(PathLock lock) throws IOException {
    if (shared != null) {
      shared.ensureHeld(lock);
    }
  }

  /** How many locks are held; a clean shutdown or finished test leaves none. */
  public synchronized int size() {
    return held.size();
  }
}
