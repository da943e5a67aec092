package dev.ferry.core.vfs;

import java.nio.file.NotDirectoryException;

/**
 * A directory operation on a path that is a file, with the operation and the user in its reason:
 * the JDK's {@link NotDirectoryException} carries a path alone, which the front-ends would show
 * with no reason at all.
 */
public final class NotADirectoryException extends NotDirectoryException {

  private final String reason;

  public NotADirectoryException(String path, String reason) {
    super(path);
    this.reason = reason;
  }

  @Override
  public String getReason() {
    return reason;
  }
}
