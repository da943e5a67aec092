package dev.ferry.core.state;

import java.io.IOException;

/**
 * A state store operation that failed, named by what Ferry was doing and where the store is
 * (never with its password).
 */
public final class StateStoreException extends IOException {

  public StateStoreException(String operation, String store, Throwable cause) {
    super(operation + ": state store " + store + " failed: " + reason(cause), cause);
  }

  private static String reason(Throwable cause) {
    Throwable root = cause;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
    return root == cause || cause.getMessage() == null ? message : cause.getMessage() + " (" + message + ")";
  }
}
