package dev.ferry.core.user;

import dev.ferry.core.state.Database;
import dev.ferry.core.state.StateStoreException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;

/**
 * Failed logins per client address, in the state store, so that a ban from failures on one node
 * holds on every node sharing it. Each failure is counted by one statement (an upsert that resets
 * an expired window or ban, counts, and bans at the limit), so nodes counting at once lose none.
 */
final class LoginFailures {

  private static final String EXPIRED = "((login_failures.banned_until IS NULL AND login_failures.first_at < ?)"
      + " OR login_failures.banned_until <= ?)";
  private static final String COUNT = "CASE WHEN " + EXPIRED + " THEN 1 ELSE login_failures.failures + 1 END";
  private static final String RECORD = "INSERT INTO login_failures (address, failures, first_at, banned_until)"
      + " VALUES (?, 1, ?, ?) ON CONFLICT (address) DO UPDATE SET"
      + " failures = " + COUNT + ","
      + " first_at = CASE WHEN " + EXPIRED + " THEN excluded.first_at ELSE login_failures.first_at END,"
      + " banned_until = CASE WHEN " + COUNT + " >= ? THEN ? ELSE NULL END"
      + " RETURNING failures, banned_until";

  private final Database database;

  LoginFailures(Database database) {
    this.database = database;
  }

  /**
   * Counts a failure at {@code now}: within {@code window} of the first one they add up, and the
   * {@code maxFailures}th bans the address for {@code ban}. Returns whether this failure banned it.
   */
  boolean record(String address, Instant now, int maxFailures, Duration window, Duration ban)
      throws StateStoreException {
    long at = now.toEpochMilli();
    long windowStart = at - window.toMillis();
    long banUntil = at + ban.toMillis();
    return database.run("counting a failed login from " + address, connection -> {
      try (PreparedStatement upsert = connection.prepareStatement(RECORD)) {
        int i = 1;
        upsert.setString(i++, address);
        upsert.setLong(i++, at);
        if (maxFailures <= 1) {
          upsert.setLong(i++, banUntil);
        } else {
          upsert.setNull(i++, Types.BIGINT);
        }
        for (int expired = 0; expired < 3; expired++) {
          upsert.setLong(i++, windowStart);
          upsert.setLong(i++, at);
        }
        upsert.setInt(i++, maxFailures);
        upsert.setLong(i, banUntil);
        try (ResultSet row = upsert.executeQuery()) {
          row.next();
          int failures = row.getInt(1);
          row.getLong(2);
          return !row.wasNull() && failures == maxFailures;
        }
      }
    });
  }

  boolean banned(String address, Instant now) throws StateStoreException {
    return database.run("looking up bans of " + address, connection -> {
      try (PreparedStatement select = connection.prepareStatement(
          "SELECT banned_until FROM login_failures WHERE address = ?")) {
        select.setString(1, address);
        try (ResultSet row = select.executeQuery()) {
          if (!row.next()) {
            return false;
          }
          long until = row.getLong(1);
          return !row.wasNull() && now.toEpochMilli() < until;
        }
      }
    });
  }
}
