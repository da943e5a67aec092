package dev.ferry.core.quota;

import java.io.IOException;

/** A recount refused because another one of the same quota runs, on this node or another. */
public final class QuotaScanBusyException extends IOException {

  public QuotaScanBusyException(String message) {
    super(message);
  }
}
