package dev.ferry.core.bandwidth;

import java.io.IOException;

/**
 * Paces a client's bytes: {@link #pass} returns once {@code bytes} more may go, by the limits that
 * apply to that client, or refuses them (a quota they would pass). Called on the session's own
 * thread (an SFTP subsystem's, an FTPS data connection's), never on an event loop: waiting there
 * is the backpressure.
 */
@FunctionalInterface
public interface Throttle {

  Throttle NONE = bytes -> { };

  void pass(int bytes) throws IOException;

  /** This throttle, then {@code next}: the stricter of the two sets the pace. */
  default Throttle then(Throttle next) {
    if (this == NONE) {
      return next;
    }
    if (next == NONE) {
      return this;
    }
    return bytes -> {
      pass(bytes);
      next.pass(bytes);
    };
  }
}
