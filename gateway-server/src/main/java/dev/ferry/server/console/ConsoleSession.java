package dev.ferry.server.console;

import java.time.Instant;

/**
 * One signed-in browser: the admin user it acts for, the CSRF token every change it asks for must
 * carry, the node it lives on, and when it ends (idle or not, it never outlives {@code absoluteEnd}).
 */
record ConsoleSession(String id, String user, String csrfToken, String node, Instant idleEnd, Instant absoluteEnd) {

  boolean liveAt(Instant now) {
    return now.isBefore(idleEnd) && now.isBefore(absoluteEnd);
  }
}
