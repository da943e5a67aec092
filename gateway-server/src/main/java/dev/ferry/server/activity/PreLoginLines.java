package dev.ferry.server.activity;

import dev.ferry.core.event.FerryEvent;
import dev.ferry.core.event.SessionEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Keeps connections that never log in from writing a line each: a port scan, a balancer's health
 * checks or a flood of silent connections would otherwise fill the activity log two lines a
 * connection. A CONNECTED line waits until the connection tries credentials (its AUTH_FAILURE or
 * LOGIN goes out right after it); one that ends without trying is only counted, and every
 * {@link #PERIOD} one NO_LOGIN line per protocol and address says how many there were.
 */
final class PreLoginLines {

  static final Duration PERIOD = Duration.ofMinutes(1);

  /** One address's connections without a login in the current period. */
  record Summary(String protocol, String address, int connections, Instant from, Instant to) {}

  // Guarded by this. At most the node's connections waiting for a login (sessions.unauthenticated).
  private final Map<String, SessionEvent> connecting = new HashMap<>();
  private final Map<List<String>, Summary> withoutLogin = new LinkedHashMap<>();

  /** Passes on, with {@code write}, what {@code event} makes worth a line now. */
  void accept(FerryEvent event, Consumer<FerryEvent> write) {
    if (!(event instanceof SessionEvent session)) {
      write.accept(event);
      return;
    }
    SessionEvent held;
    synchronized (this) {
      String id = session.session().id();
      switch (session.type()) {
        case CONNECTED -> {
          connecting.put(id, session);
          return;
        }
        case EXIT -> {
          if (connecting.remove(id) != null) {
            count(session);
            return;
          }
          held = null;
        }
        default -> held = connecting.remove(id);
      }
    }
    if (held != null) {
      write.accept(held);
    }
    write.accept(session);
  }

  private void count(SessionEvent exit) {
    List<String> key = List.of(exit.session().protocol(), exit.session().address());
    withoutLogin.merge(key, new Summary(key.get(0), key.get(1), 1, exit.time(), exit.time()),
        (before, one) -> new Summary(before.protocol(), before.address(), before.connections() + 1, before.from(),
            one.to()));
  }

  /** The period's counts, emptied. */
  synchronized List<Summary> takeSummaries() {
    List<Summary> summaries = new ArrayList<>(withoutLogin.values());
    withoutLogin.clear();
    return summaries;
  }
}
