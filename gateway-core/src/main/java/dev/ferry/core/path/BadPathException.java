package dev.ferry.core.path;

import java.nio.file.FileSystemException;

/** A client path that the gateway refuses: it names the path as given and the rule it broke. */
public final class BadPathException extends FileSystemException {
  public BadPathException(String path, String reason) {
    super(path, null, reason);
  }
}
