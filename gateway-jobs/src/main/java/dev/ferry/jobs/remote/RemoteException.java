package dev.ferry.jobs.remote;

import java.io.IOException;

/**
 * A failure on or reaching a remote host, named by host, operation and path. The SSH layer picks the
 * {@link Kind}; only a lost connection is worth retrying.
 */
public final class RemoteException extends IOException {

  public enum Kind { HOST_KEY_MISMATCH, AUTHENTICATION, PERMISSION_DENIED, NO_SUCH_FILE, CONNECTION, FAILED }

  private final Kind kind;

  public RemoteException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
