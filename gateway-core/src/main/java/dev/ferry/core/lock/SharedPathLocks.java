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
import java.util.List;
import java.util.Set;
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
 * insert" atomic across nodes.
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
    String bucket = wanted.get(0).location().bucket();
    PathBusyException[] busy = new PathBusyException[1];
    long aliveSince = nodes.aliveSince();
    database.transaction("locking " + wanted.get(0).location(), connection -> {
      if (database.vendor() == Database.Vendor.POSTGRESQL) {
        try (PreparedStatement serialize = connection.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
          serialize.setLong(1, 0x46657272L << 32 | (bucket.hashCode() & 0xffffffffL));
          serialize.execute();
        }
      }
      for (PathLock want : wanted) {
        for (Held held : candidates(connection, want)) {
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
          insert.setString(1, want.id());
          insert.setString(2, want.location().bucket());
          insert.setString(3, want.location().key());
          insert.setString(4, want.isPrefix() ? "prefix" : "key");
          insert.setString(5, nodes.selfId());
          insert.setString(6, want.purpose() + " on node " + nodes.name());
          insert.setLong(7, System.currentTimeMillis());
          insert.addBatch();
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
