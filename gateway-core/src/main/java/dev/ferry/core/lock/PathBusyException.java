package dev.ferry.core.lock;

import dev.ferry.core.s3.S3Location;

/** Another session is writing, deleting or renaming this path right now. */
public final class PathBusyException extends Exception {

  public PathBusyException(S3Location location, String heldFor) {
    super(location.key() + " is busy: " + heldFor + " in progress");
  }
}
