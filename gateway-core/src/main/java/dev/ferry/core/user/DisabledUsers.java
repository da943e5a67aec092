package dev.ferry.core.user;

import dev.ferry.core.state.Database;
import dev.ferry.core.state.StateStoreException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The users an administrator has disabled, in the state store so that every node sharing it
 * refuses them. Each login asks the store; when it cannot be asked, the answer is the one this node
 * last read (a store outage neither locks every user out nor lets a disabled one back in).
 */
public final class DisabledUsers {

  private static final Logger log = LoggerFactory.getLogger(DisabledUsers.class);

  /** Why and by whom a user was disabled: {@code by} is an admin caller's name, never a secret. */
  public record Disabling(String user, String reason, String by, Instant at) {}

  private final Database database;
  private final Clock clock;
  /** The store's answer as last read: replaced whole by {@link #all}, an entry at a time by {@link #check}. */
  private volatile Map<String, Disabling> lastRead = Map.of();

  public DisabledUsers(Database database, Clock clock) {
    this.database = database;
    this.clock = clock;
  }

  /** Disables {@code user} (again: the reason and caller are replaced). */
  public Disabling disable(String user, String reason, String by) throws StateStoreException {
    Disabling disabling = new Disabling(user, reason, by, Instant.ofEpochMilli(clock.millis()));
    database.run("disabling user " + user, connection -> {
      try (PreparedStatement upsert = connection.prepareStatement(
          "INSERT INTO disabled_users (user_name, reason, disabled_by, disabled_at) VALUES (?, ?, ?, ?)"
              + " ON CONFLICT (user_name) DO UPDATE SET reason = excluded.reason,"
              + " disabled_by = excluded.disabled_by, disabled_at = excluded.disabled_at")) {
        upsert.setString(1, user);
        upsert.setString(2, reason);
        upsert.setString(3, by);
        upsert.setLong(4, disabling.at().toEpochMilli());
        return upsert.executeUpdate();
      }
    });
    remember(user, disabling);
    return disabling;
  }

  /** Enables {@code user}; false when it was not disabled. */
  public boolean enable(String user) throws StateStoreException {
    int removed = database.run("enabling user " + user, connection -> {
      try (PreparedStatement delete = connection.prepareStatement("DELETE FROM disabled_users WHERE user_name = ?")) {
        delete.setString(1, user);
        return delete.executeUpdate();
      }
    });
    remember(user, null);
    return removed > 0;
  }

  /** Whether {@code user} is disabled, as the store says now (or, when it cannot be asked, as last read). */
  public Optional<Disabling> check(String user) {
    try {
      Optional<Disabling> found = database.run("looking up whether user " + user + " is disabled", connection -> {
        try (PreparedStatement select = connection.prepareStatement(
            "SELECT user_name, reason, disabled_by, disabled_at FROM disabled_users WHERE user_name = ?")) {
          select.setString(1, user);
          try (ResultSet row = select.executeQuery()) {
            return row.next() ? Optional.of(disabling(row)) : Optional.<Disabling>empty();
          }
        }
      });
      remember(user, found.orElse(null));
      return found;
    } catch (StateStoreException e) {
      Optional<Disabling> known = lastRead(user);
      log.error("whether user {} is disabled is unknown ({}); as last read: {}", user, e.getMessage(),
          known.isPresent() ? "disabled" : "not disabled");
      return known;
    }
  }

  /** As this node last read it, without asking the store (for what is said about a refused login). */
  public Optional<Disabling> lastRead(String user) {
    return Optional.ofNullable(lastRead.get(user));
  }

  /** Every disabled user by name, as the store says now. */
  public Map<String, Disabling> all() throws StateStoreException {
    Map<String, Disabling> all = database.run("listing disabled users", connection -> {
      try (PreparedStatement select = connection.prepareStatement(
          "SELECT user_name, reason, disabled_by, disabled_at FROM disabled_users ORDER BY user_name")) {
        try (ResultSet rows = select.executeQuery()) {
          Map<String, Disabling> found = new LinkedHashMap<>();
          while (rows.next()) {
            Disabling disabling = disabling(rows);
            found.put(disabling.user(), disabling);
          }
          return found;
        }
      }
    });
    synchronized (this) {
      lastRead = Map.copyOf(all);
    }
    return all;
  }

  private static Disabling disabling(ResultSet row) throws java.sql.SQLException {
    return new Disabling(row.getString(1), row.getString(2), row.getString(3), Instant.ofEpochMilli(row.getLong(4)));
  }

  private synchronized void remember(String user, Disabling disabling) {
    Map<String, Disabling> next = new HashMap<>(lastRead);
    if (disabling == null) {
      next.remove(user);
    } else {
      next.put(user, disabling);
    }
    lastRead = Map.copyOf(next);
  }
}
