package dev.ferry.core.lock;

import dev.ferry.core.s3.S3Location;

/** Another session is writing, deleting or renaming this path right now. */
public final class PathBusyException extends Exception {

  private final boolean sameScope;

  public PathBusyException(S3Location location, String heldFor, boolean sameScope) {
    super(location.key() + " is busy: " + heldFor + " in progress");
    this.sameScope = sameScope;
  }

  /**
   * True when the holder locked exactly what was asked for: the same key (or the same prefix), not
   * a prefix above it or a key below it. Two mkdirs of one directory meet this way, and the second
   * is told the directory exists rather than that it is busy.
   */
  public boolean sameScope() {
    return sameScope;
  }
}
