package dev.ferry.server.console;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The console's sessions, kept on this node only (a browser signs in again on another node): the
 * cookie holds a random id and nothing else, so a session ends the moment it is removed here. A
 * session ends after {@code idle} without a request, and after {@code absolute} in any case.
 */
final class ConsoleSessions {

  private static final SecureRandom RANDOM = new SecureRandom();

  private final Map<String, ConsoleSession> byId = new ConcurrentHashMap<>();
  private final Clock clock;
  private final Duration idle;
  private final Duration absolute;
  private final String node;

  /** {@code node}: where these sessions live, which each one names for the pages. */
  ConsoleSessions(Clock clock, Duration idle, Duration absolute, String node) {
    this.clock = clock;
    this.idle = idle;
    this.absolute = absolute;
    this.node = node;
  }

  ConsoleSession create(String user) {
    Instant now = clock.instant();
    byId.values().removeIf(s -> !s.liveAt(now));
    ConsoleSession session = new ConsoleSession(randomToken(), user, randomToken(), node, now.plus(idle),
        now.plus(absolute));
    byId.put(session.id(), session);
    return session;
  }

  /** The live session of this id, its idle end moved on; empty for an unknown or ended one. */
  Optional<ConsoleSession> touch(String id) {
    if (id == null) {
      return Optional.empty();
    }
    Instant now = clock.instant();
    ConsoleSession session = byId.computeIfPresent(id, (key, s) -> s.liveAt(now)
        ? new ConsoleSession(s.id(), s.user(), s.csrfToken(), s.node(), now.plus(idle), s.absoluteEnd()) : null);
    return Optional.ofNullable(session);
  }

  void remove(String id) {
    if (id != null) {
      byId.remove(id);
    }
  }

  /** Constant-time: the comparison must not tell how much of a guessed token was right. */
  static boolean csrfMatches(ConsoleSession session, String token) {
    return token != null && MessageDigest.isEqual(session.csrfToken().getBytes(StandardCharsets.UTF_8),
        token.getBytes(StandardCharsets.UTF_8));
  }

  private static String randomToken() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
