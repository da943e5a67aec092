package dev.ferry.core.object;

import dev.ferry.core.lock.PathLock;

/** An object's path lock, held by a job that reads the object ({@link ObjectOperations#hold}); close lets it go. */
public final class ObjectHold implements AutoCloseable {

  private final PathLock lock;

  ObjectHold(PathLock lock) {
    this.lock = lock;
  }

  @Override
  public void close() {
    lock.close();
  }
}
