package dev.ferry.core.lock;

import dev.ferry.core.state.Database;
import dev.ferry.core.state.Nodes;
import dev.ferry.core.state.StateStoreException;
import dev.ferry.core.thread.DaemonThreads;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Path locks across the nodes sharing the state store, with the same rules as within one node
 * ({@link PathLock#conflictsWith}). A lock is a row naming its node, and counts while that node
 * is alive, i.e. heartbeats within its lease: a lock of a node that died or froze is taken over by
 * the next node that wants the path. No database session holds anything between statements, so a
 * database restart loses no lock. A node that froze and woke finds out before it commits: its
 * writers call {@link #ensureHeld} (fencing), which fails once the row is gone.
 *
 * <p>Acquisitions in one bucket are serialized by a transaction-scoped advisory lock on PostgreSQL
 * (released at commit, so it fences nothing by itself), which makes "look for conflicts, then
 * insert" atomic across nodes. When nothing in the way is recorded, which is nearly always, that
 * is one round trip ({@link #recordedAtOnce}); otherwise a transaction looks at each row in the way
 * and either refuses or takes over a dead node's lock.
 */
public final class SharedPathLocks implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(SharedPathLocks.class);

  private final Database database;
  private final Nodes nodes;
  /** Releases that failed (the store away): retried until they succeed, or the row would block others. */
  private final Set<String> pendingReleases = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService retries;

  public SharedPathLocks(Database database, Nodes nodes) {
    this.database = database;
    this.nodes = nodes;
    this.retries = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("ferry-lock-release-retry"));
    retries.scheduleWithFixedDelay(this::retryReleases, 2, 2, TimeUnit.SECONDS);
  }

  /** Records {@code wanted} for this node, all or none; a live node's conflicting lock makes it busy. */
  void acquire(List<PathLock> wanted) throws PathBusyException, StateStoreException {
    String operation = "locking " + wanted.get(0).location();
    if (database.vendor() == Database.Vendor.POSTGRESQL
        && database.run(operation, connection -> recordedAtOnce(connection, wanted))) {
      return;
    }
    PathBusyException[] busy = new PathBusyException[1];
    long aliveSince = nodes.aliveSince();
    database.transaction(operation, connection -> {
      if (database.vendor() == Database.Vendor.POSTGRESQL) {
        SortedSet<String> buckets = buckets(wanted);
        try (PreparedStatement serialize = connection.prepareStatement(serializing(buckets))) {
          bindBuckets(serialize, buckets);
          serialize.execute();
        }
      }
      Set<String> recordedAlready = new HashSet<>();
      for (PathLock want : wanted) {
        for (Held held : candidates(connection, want)) {
          if (held.lockId().equals(want.id())) {
            // A first try whose commit went through but whose answer was lost with its connection.
            recordedAlready.add(held.lockId());
            continue;
          }
          if (!held.conflictsWith(want)) {
            continue;
          }
          if (held.heartbeat() != null && held.heartbeat() >= aliveSince) {
            busy[0] = new PathBusyException(want.location(), held.purpose());
            return null;
          }
          log.warn("taking over the lock on {} of a node that stopped heartbeating ({}; node {})",
              held.location(want), held.purpose(), held.nodeId());
          delete(connection, held.lockId());
        }
      }
      try (PreparedStatement insert = connection.prepareStatement("INSERT INTO path_locks"
          + " (lock_id, bucket, lock_key, kind, node_id, purpose, acquired_at) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
        for (PathLock want : wanted) {
          if (!recordedAlready.contains(want.id())) {
            bindRow(insert, 1, want);
            insert.addBatch();
          }
        }
        insert.executeBatch();
      }
      return null;
    });
    if (busy[0] != null) {
      throw busy[0];
    }
  }

  /**
   * Records {@code wanted} in one round trip if no row of any node is in their way, and says
   * whether it did. Two statements go in one message: the advisory locks of the buckets, then an
   * insert of every wanted row only where no recorded lock conflicts with any of them. PostgreSQL
   * runs the statements of one message in one implicit transaction, committed after the last, so
   * the advisory locks are held until the rows are in; and the insert, a statement of its own,
   * looks at the table once the advisory locks are its (read committed: a snapshot per statement),
   * so it sees every lock another node recorded before. A row in the way, live or dead, leaves
   * the decision to the transaction that looks at each row.
   */
  private boolean recordedAtOnce(Connection connection, List<PathLock> wanted) throws SQLException {
    SortedSet<String> buckets = buckets(wanted);
    StringBuilder sql = new StringBuilder(serializing(buckets)).append("; INSERT INTO path_locks")
        .append(" (lock_id, bucket, lock_key, kind, node_id, purpose, acquired_at) SELECT * FROM (VALUES ");
    for (int i = 0; i < wanted.size(); i++) {
      sql.append(i == 0 ? "" : ", ").append("(?, ?, ?, ?, ?, ?, CAST(? AS BIGINT))");
    }
    sql.append(") AS wanted (lock_id, bucket, lock_key, kind, node_id, purpose, acquired_at) WHERE TRUE");
    for (int i = 0; i < wanted.size(); i++) {
      sql.append(" AND NOT EXISTS (SELECT 1 FROM path_locks l WHERE l.bucket = ? AND (l.lock_key = ?")
          .append(" OR (l.kind = 'prefix' AND left(?, length(l.lock_key)) = l.lock_key)")
          .append(" OR (? AND left(l.lock_key, ?) = ?)))");
    }
    try (PreparedStatement record = connection.prepareStatement(sql.toString())) {
      int parameter = bindBuckets(record, buckets);
      for (PathLock want : wanted) {
        parameter = bindRow(record, parameter, want);
      }
      for (PathLock want : wanted) {
        String key = want.location().key();
        record.setString(parameter++, want.location().bucket());
        record.setString(parameter++, key);
        record.setString(parameter++, key);
        record.setBoolean(parameter++, want.isPrefix());
        record.setInt(parameter++, key.codePointCount(0, key.length()));
        record.setString(parameter++, key);
      }
      record.execute(); // the advisory locks' result
      record.getMoreResults();
      return record.getUpdateCount() == wanted.size();
    }
  }

  /** The advisory locks of {@code buckets}, taken in their sorted order; bound by {@link #bindBuckets}. */
  private static String serializing(SortedSet<String> buckets) {
    return "SELECT " + String.join(", ", Collections.nCopies(buckets.size(), "pg_advisory_xact_lock(?)"));
  }

  /** Binds the buckets' advisory lock keys from the first parameter on; returns the next parameter. */
  private static int bindBuckets(PreparedStatement statement, SortedSet<String> buckets) throws SQLException {
    int parameter = 1;
    for (String bucket : buckets) {
      statement.setLong(parameter++, 0x46657272L << 32 | (bucket.hashCode() & 0xffffffffL));
    }
    return parameter;
  }

  /**
   * The wanted locks' buckets in one order for every node: two nodes each holding one bucket's
   * advisory lock and waiting for the other's would deadlock.
   */
  private static SortedSet<String> buckets(List<PathLock> wanted) {
    SortedSet<String> buckets = new TreeSet<>();
    wanted.forEach(want -> buckets.add(want.location().bucket()));
    return buckets;
  }

  private int bindRow(PreparedStatement statement, int first, PathLock want) throws SQLException {
    int parameter = first;
    statement.setString(parameter++, want.id());
    statement.setString(parameter++, want.location().bucket());
    statement.setString(parameter++, want.location().key());
    statement.setString(parameter++, want.isPrefix() ? "prefix" : "key");
    statement.setString(parameter++, nodes.selfId());
    statement.setString(parameter++, want.purpose() + " on node " + nodes.name());
    statement.setLong(parameter++, System.currentTimeMillis());
    return parameter;
  }

  /**
   * Fails unless {@code lock} is still this node's: its row is there and this node heartbeated
   * within its lease. A writer calls this just before it commits.
   */
  void ensureHeld(PathLock lock) throws IOException {
    boolean recorded = database.run("checking the lock on " + lock.location(), connection -> {
      try (PreparedStatement select = connection.prepareStatement(
          "SELECT 1 FROM path_locks WHERE lock_id = ? AND node_id = ?")) {
        select.setString(1, lock.id());
        select.setString(2, nodes.selfId());
        try (ResultSet row = select.executeQuery()) {
          return row.next();
        }
      }
    });
    if (!recorded || !nodes.holdsItsLease()) {
      throw new IOException(lock.location() + ": the lock for " + lock.purpose() + " was lost (this node was "
          + "unresponsive for longer than its lease of " + nodes.lease() + ", and another node may have taken the path "
          + "over); nothing was committed");
    }
  }

  void release(PathLock lock) {
    try {
      database.run("unlocking " + lock.location(), connection -> delete(connection, lock.id()));
    } catch (StateStoreException e) {
      log.warn("{}; retrying until it is released", e.getMessage());
      pendingReleases.add(lock.id());
    }
  }

  private void retryReleases() {
    for (String id : List.copyOf(pendingReleases)) {
      try {
        database.run("unlocking lock " + id, connection -> delete(connection, id));
        pendingReleases.remove(id);
      } catch (StateStoreException e) {
        return; // the store is still away; the next round tries again
      }
    }
  }

  /** A lock row: its location and kind, who holds it for what, and its node's last heartbeat (null: node gone). */
  private record Held(String lockId, String key, boolean prefix, String purpose, String nodeId, Long heartbeat) {
    boolean conflictsWith(PathLock want) {
      return PathLock.conflicts(key, prefix, want.location().key(), want.isPrefix());
    }

    String location(PathLock want) {
      return "s3://" + want.location().bucket() + "/" + key;
    }
  }

  /** The rows that may conflict with {@code want}: the same key, every prefix lock, and for a prefix what is under it. */
  private static List<Held> candidates(Connection connection, PathLock want) throws SQLException {
    String key = want.location().key();
    try (PreparedStatement select = connection.prepareStatement("SELECT l.lock_id, l.lock_key, l.kind, l.purpose,"
        + " l.node_id, n.heartbeat_at FROM path_locks l LEFT JOIN nodes n ON n.node_id = l.node_id"
        + " WHERE l.bucket = ? AND (l.lock_key = ? OR l.kind = 'prefix' OR (? AND substr(l.lock_key, 1, ?) = ?))")) {
      select.setString(1, want.location().bucket());
      select.setString(2, key);
      select.setBoolean(3, want.isPrefix());
      select.setInt(4, key.codePointCount(0, key.length()));
      select.setString(5, key);
      List<Held> rows = new ArrayList<>();
      try (ResultSet row = select.executeQuery()) {
        while (row.next()) {
          long heartbeat = row.getLong(6);
          rows.add(new Held(row.getString(1), row.getString(2), row.getString(3).equals("prefix"), row.getString(4),
              row.getString(5), row.wasNull() ? null : heartbeat));
        }
      }
      return rows;
    }
  }

  private static int delete(Connection connection, String lockId) throws SQLException {
    try (PreparedStatement delete = connection.prepareStatement("DELETE FROM path_locks WHERE lock_id = ?")) {
      delete.setString(1, lockId);
      return delete.executeUpdate();
    }
  }

  @Override
  public void close() {
    retries.shutdownNow();
    retryReleases();
  }
}
