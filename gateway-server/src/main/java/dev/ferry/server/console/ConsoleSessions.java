package dev.ferry.server.console;

import dev.ferry.core.state.Database;
import dev.ferry.core.state.StateStoreException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The console's sessions, kept in the state store, so a browser signed in on one node is signed in
 * on every node sharing it (an operator behind a load balancer that picks another node is not
 * signed out). The cookie holds a random id and nothing else; the store keeps only its SHA-256, so
 * reading the table does not give a session. A session ends after {@code idle} without a request
 * (its idle end is written again at most every {@link #TOUCH_EVERY}, not at every poll), after
 * {@code absolute} in any case, and at once when removed.
 */
final class ConsoleSessions {

  /** How stale a session's stored idle end may get: one write a minute per session, not one a poll. */
  static final Duration TOUCH_EVERY = Duration.ofMinutes(1);

  private static final SecureRandom RANDOM = new SecureRandom();

  private final Database database;
  private final Clock clock;
  private final Duration idle;
  private final Duration absolute;
  private final String node;

  /** {@code node}: the node answering, which each session names for the pages. */
  ConsoleSessions(Database database, Clock clock, Duration idle, Duration absolute, String node) {
    this.database = database;
    this.clock = clock;
    this.idle = idle;
    this.absolute = absolute;
    this.node = node;
  }

  ConsoleSession create(String user) throws StateStoreException {
    Instant now = clock.instant();
    ConsoleSession session = new ConsoleSession(randomToken(), user, randomToken(), node, now.plus(idle),
        now.plus(absolute));
    database.run("signing in " + user + " to the console", connection -> {
      try (PreparedStatement expired = connection.prepareStatement(
          "DELETE FROM console_sessions WHERE idle_end <= ? OR absolute_end <= ?")) {
        expired.setLong(1, now.toEpochMilli());
        expired.setLong(2, now.toEpochMilli());
        expired.executeUpdate();
      }
      try (PreparedStatement insert = connection.prepareStatement("INSERT INTO console_sessions (id_sha256, user_name,"
          + " csrf_token, idle_end, absolute_end) VALUES (?, ?, ?, ?, ?)")) {
        insert.setString(1, sha256(session.id()));
        insert.setString(2, user);
        insert.setString(3, session.csrfToken());
        insert.setLong(4, session.idleEnd().toEpochMilli());
        insert.setLong(5, session.absoluteEnd().toEpochMilli());
        return insert.executeUpdate();
      }
    });
    return session;
  }

  /** A session as the store holds it, and whether its user has been disabled since. */
  private record Stored(ConsoleSession session, boolean userDisabled) {}

  /**
   * The live session of this id, its idle end moved on; empty for an unknown or ended one, or one
   * whose user has been disabled.
   */
  Optional<ConsoleSession> touch(String id) throws StateStoreException {
    if (id == null || id.isEmpty()) {
      return Optional.empty();
    }
    String hash = sha256(id);
    Instant now = clock.instant();
    Optional<Stored> stored = database.run("reading a console session", connection -> {
      // A user disabled since signing in (user disable) loses the session, on every node.
      try (PreparedStatement select = connection.prepareStatement("SELECT c.user_name, csrf_token, idle_end,"
          + " absolute_end, d.user_name FROM console_sessions c LEFT JOIN disabled_users d"
          + " ON d.user_name = c.user_name WHERE id_sha256 = ?")) {
        select.setString(1, hash);
        try (ResultSet row = select.executeQuery()) {
          return row.next() ? Optional.of(new Stored(new ConsoleSession(id, row.getString(1), row.getString(2), node,
              Instant.ofEpochMilli(row.getLong(3)), Instant.ofEpochMilli(row.getLong(4))), row.getString(5) != null))
              : Optional.<Stored>empty();
        }
      }
    });
    if (stored.isEmpty()) {
      return Optional.empty();
    }
    ConsoleSession session = stored.get().session();
    if (!session.liveAt(now) || stored.get().userDisabled()) {
      remove(id);
      return Optional.empty();
    }
    Instant idleEnd = now.plus(idle);
    if (Duration.between(session.idleEnd(), idleEnd).compareTo(TOUCH_EVERY) < 0) {
      return Optional.of(session);
    }
    database.run("touching a console session", connection -> {
      try (PreparedStatement update = connection.prepareStatement(
          "UPDATE console_sessions SET idle_end = ? WHERE id_sha256 = ?")) {
        update.setLong(1, idleEnd.toEpochMilli());
        update.setString(2, hash);
        return update.executeUpdate();
      }
    });
    return Optional.of(new ConsoleSession(id, session.user(), session.csrfToken(), node, idleEnd,
        session.absoluteEnd()));
  }

  void remove(String id) throws StateStoreException {
    if (id == null) {
      return;
    }
    database.run("ending a console session", connection -> {
      try (PreparedStatement delete = connection.prepareStatement("DELETE FROM console_sessions WHERE id_sha256 = ?")) {
        delete.setString(1, sha256(id));
        return delete.executeUpdate();
      }
    });
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

  /** The stored form of an id: 256 random bits need no salt or stretching, only not being stored as they are. */
  private static String sha256(String id) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }
}
