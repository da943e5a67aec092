package dev.ferry.core.quota;

import dev.ferry.core.s3.ListPage;
import dev.ferry.core.s3.ObjectInfo;
import dev.ferry.core.s3.S3Location;
import dev.ferry.core.state.Database;
import dev.ferry.core.state.Nodes;
import dev.ferry.core.state.StateStoreException;
import dev.ferry.core.store.ObjectStore;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The usage of users with a quota, kept in the state store so that every node sharing it sees the
 * same figures: what each home holds (counted by listing it once, then kept by every change a
 * session makes) and what uploads in progress have taken ahead. A reservation is conditional on
 * the quota in the same transaction that takes it, with the user's usage row locked on
 * PostgreSQL, so uploads on several nodes cannot together pass a quota by more than what each
 * asks for at a time. Reservations are per node; those of nodes whose heartbeat stopped count no
 * more.
 */
public final class Quotas {

  private static final Logger log = LoggerFactory.getLogger(Quotas.class);
  private static final int LIST_PAGE = 1000;

  private final Database database;
  private final Nodes nodes;
  private final ObjectStore store;
  private final Clock clock;
  /**
   * Users whose home this node knows to be counted: a usage row, once there, is never removed, so
   * a reservation (one per part of every upload) need not ask the store first.
   */
  private final Set<String> counted = ConcurrentHashMap.newKeySet();

  public Quotas(Database database, Nodes nodes, ObjectStore store, Clock clock) {
    this.database = database;
    this.nodes = nodes;
    this.store = store;
    this.clock = clock;
  }

  /** {@code user}'s usage now, counting the home first if it never was. */
  public QuotaUsage usage(String user, S3Location home, QuotaLimit limit) throws IOException {
    counted(user, home);
    return database.run("reading the quota usage of " + user, connection -> read(connection, user, limit));
  }

  /**
   * Takes {@code bytes} and {@code files} ahead for an upload of {@code user} on this node, if the
   * quota has room for them beside what the home holds and what other uploads took; false when not.
   */
  public boolean reserve(String user, S3Location home, QuotaLimit limit, long bytes, long files) throws IOException {
    counted(user, home);
    return database.transaction("reserving quota for " + user, connection -> {
      QuotaUsage now = lockAndRead(connection, user, limit);
      if (bytes > now.freeBytes() || files > now.freeFiles()) {
        return false;
      }
      addReservation(connection, user, bytes, files);
      return true;
    });
  }

  /** Gives back what an upload took ahead and did not keep. */
  public void release(String user, long bytes, long files) throws StateStoreException {
    if (bytes == 0 && files == 0) {
      return;
    }
    database.transaction("releasing quota of " + user, connection -> {
      addReservation(connection, user, -bytes, -files);
      return null;
    });
  }

  /**
   * An upload of {@code user} committed: what it took ahead is given back and the home now holds
   * {@code bytes} more bytes and {@code files} more files (negative: fewer).
   */
  public void settle(String user, long reservedBytes, long reservedFiles, long bytes, long files)
      throws StateStoreException {
    database.transaction("recording the quota usage of " + user, connection -> {
      addReservation(connection, user, -reservedBytes, -reservedFiles);
      add(connection, user, bytes, files);
      return null;
    });
  }

  /**
   * The home of {@code user} holds {@code bytes} and {@code files} more (negative: fewer): a delete,
   * a file a rename replaced.
   */
  public void changed(String user, long bytes, long files) throws StateStoreException {
    database.transaction("recording the quota usage of " + user, connection -> {
      add(connection, user, bytes, files);
      return null;
    });
  }

  /**
   * Counts {@code user}'s home again by listing it (objects other S3 clients wrote or removed), keeps
   * that as the usage, and returns the usage before and after. One recount of a quota at a time on
   * all nodes: another one running, here or on a live node, refuses this one.
   */
  public Recount recount(String user, S3Location home, QuotaLimit limit) throws IOException {
    claimScan(user);
    try {
      long[] totals = count(home);
      QuotaUsage[] before = new QuotaUsage[1];
      QuotaUsage after = database.transaction("recounting the quota usage of " + user, connection -> {
        before[0] = lockAndRead(connection, user, limit);
        write(connection, user, totals[0], totals[1]);
        return read(connection, user, limit);
      });
      return new Recount(before[0], after);
    } finally {
      releaseScan(user);
    }
  }

  /** Takes the one recount of {@code user}'s quota, after dropping a claim of a node no longer alive. */
  void claimScan(String user) throws IOException {
    String holder = database.transaction("claiming the quota scan of " + user, connection -> {
      try (PreparedStatement stale = connection.prepareStatement("DELETE FROM quota_scans WHERE user_name = ?"
          + " AND node_id NOT IN (SELECT node_id FROM nodes WHERE heartbeat_at >= ?)")) {
        stale.setString(1, user);
        stale.setLong(2, nodes.aliveSince());
        stale.executeUpdate();
      }
      try (PreparedStatement claim = connection.prepareStatement("INSERT INTO quota_scans (user_name, node_id,"
          + " started_at) VALUES (?, ?, ?) ON CONFLICT (user_name) DO NOTHING")) {
        claim.setString(1, user);
        claim.setString(2, nodes.selfId());
        claim.setLong(3, clock.millis());
        if (claim.executeUpdate() == 1) {
          return null;
        }
      }
      try (PreparedStatement who = connection.prepareStatement("SELECT COALESCE(n.name, s.node_id) FROM quota_scans s"
          + " LEFT JOIN nodes n ON n.node_id = s.node_id WHERE s.user_name = ?")) {
        who.setString(1, user);
        try (ResultSet row = who.executeQuery()) {
          return row.next() ? row.getString(1) : "another node";
        }
      }
    });
    if (holder != null) {
      throw new QuotaScanBusyException("quota scan of " + user + ": a scan of it is running already (node "
          + holder + "); try again when it ends");
    }
  }

  void releaseScan(String user) throws StateStoreException {
    database.transaction("ending the quota scan of " + user, connection -> {
      try (PreparedStatement release = connection.prepareStatement("DELETE FROM quota_scans WHERE user_name = ?"
          + " AND node_id = ?")) {
        release.setString(1, user);
        release.setString(2, nodes.selfId());
        release.executeUpdate();
      }
      return null;
    });
  }

  /** The usage before and after a recount: the drift is what changed outside the user's sessions. */
  public record Recount(QuotaUsage before, QuotaUsage after) {}

  /** Whether {@code user}'s home was ever counted. */
  public boolean isCounted(String user) throws StateStoreException {
    return database.run("reading the quota usage of " + user, connection -> row(connection, user, false).isPresent());
  }

  private void counted(String user, S3Location home) throws IOException {
    if (counted.contains(user)) {
      return;
    }
    if (isCounted(user)) {
      counted.add(user);
      return;
    }
    long[] totals = count(home);
    database.transaction("recording the first count of " + user + "'s home", connection -> {
      if (row(connection, user, false).isEmpty()) {
        write(connection, user, totals[0], totals[1]);
        log.info("quota usage of {}: {} bytes in {} files under {} (first count)", user, totals[0], totals[1], home);
      }
      return null;
    });
    counted.add(user);
  }

  /** Bytes and files under {@code home}, listed page by page; directory markers are not files. */
  private long[] count(S3Location home) throws IOException {
    long bytes = 0;
    long files = 0;
    String token = null;
    do {
      ListPage page = ObjectStore.await(store.listPage(home, null, token, LIST_PAGE));
      for (ObjectInfo object : page.objects()) {
        if (!object.key().endsWith("/")) {
          bytes += object.size();
          files++;
        }
      }
      token = page.nextToken();
    } while (token != null);
    return new long[] {bytes, files};
  }

  private QuotaUsage lockAndRead(Connection connection, String user, QuotaLimit limit) throws SQLException {
    if (row(connection, user, true).isEmpty()) {
      write(connection, user, 0, 0);
    }
    return read(connection, user, limit);
  }

  private QuotaUsage read(Connection connection, String user, QuotaLimit limit) throws SQLException {
    long[] held = row(connection, user, false).orElse(new long[] {0, 0});
    try (PreparedStatement select = connection.prepareStatement("SELECT COALESCE(SUM(r.bytes), 0),"
        + " COALESCE(SUM(r.files), 0) FROM quota_reservations r JOIN nodes n ON n.node_id = r.node_id"
        + " WHERE r.user_name = ? AND n.heartbeat_at >= ?")) {
      select.setString(1, user);
      select.setLong(2, nodes.aliveSince());
      try (ResultSet rows = select.executeQuery()) {
        rows.next();
        return new QuotaUsage(limit, held[0], held[1], rows.getLong(1), rows.getLong(2));
      }
    }
  }

  /** The usage row's bytes and files; {@code lock}: FOR UPDATE on PostgreSQL (SQLite has one writer at a time). */
  private Optional<long[]> row(Connection connection, String user, boolean lock) throws SQLException {
    try (PreparedStatement select = connection.prepareStatement("SELECT bytes, files FROM quota_usage"
        + " WHERE user_name = ?" + (lock && database.vendor() == Database.Vendor.POSTGRESQL ? " FOR UPDATE" : ""))) {
      select.setString(1, user);
      try (ResultSet row = select.executeQuery()) {
        return row.next() ? Optional.of(new long[] {row.getLong(1), row.getLong(2)}) : Optional.empty();
      }
    }
  }

  private void write(Connection connection, String user, long bytes, long files) throws SQLException {
    try (PreparedStatement upsert = connection.prepareStatement("INSERT INTO quota_usage (user_name, bytes, files,"
        + " counted_at) VALUES (?, ?, ?, ?) ON CONFLICT (user_name) DO UPDATE SET bytes = excluded.bytes,"
        + " files = excluded.files, counted_at = excluded.counted_at")) {
      upsert.setString(1, user);
      upsert.setLong(2, bytes);
      upsert.setLong(3, files);
      upsert.setLong(4, clock.millis());
      upsert.executeUpdate();
    }
  }

  private static void add(Connection connection, String user, long bytes, long files) throws SQLException {
    // Never below 0: a file another S3 client had already removed is subtracted only once a recount says so.
    try (PreparedStatement update = connection.prepareStatement("UPDATE quota_usage"
        + " SET bytes = CASE WHEN bytes + ? < 0 THEN 0 ELSE bytes + ? END,"
        + " files = CASE WHEN files + ? < 0 THEN 0 ELSE files + ? END WHERE user_name = ?")) {
      update.setLong(1, bytes);
      update.setLong(2, bytes);
      update.setLong(3, files);
      update.setLong(4, files);
      update.setString(5, user);
      update.executeUpdate();
    }
  }

  private void addReservation(Connection connection, String user, long bytes, long files) throws SQLException {
    try (PreparedStatement upsert = connection.prepareStatement("INSERT INTO quota_reservations (user_name, node_id,"
        + " bytes, files) VALUES (?, ?, ?, ?) ON CONFLICT (user_name, node_id) DO UPDATE SET"
        + " bytes = quota_reservations.bytes + excluded.bytes, files = quota_reservations.files + excluded.files")) {
      upsert.setString(1, user);
      upsert.setString(2, nodes.selfId());
      upsert.setLong(3, bytes);
      upsert.setLong(4, files);
      upsert.executeUpdate();
    }
  }
}
