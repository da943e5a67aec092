package dev.ferry.core.state;

import dev.ferry.core.thread.DaemonThreads;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This Ferry node among those sharing the store: an id of its own for this run, and a heartbeat
 * written every third of the lease. A node whose heartbeat is older than the lease is dead to the
 * others, who then take over its path locks and abort its multipart uploads. A node that was
 * paused (SIGSTOP, a long GC, a frozen VM) for longer than its lease may wake to find them gone:
 * it notices the gap and its writers check their locks before committing (see
 * {@link dev.ferry.core.lock.PathLock#ensureHeld()}).
 *
 * <p>Times are the nodes' own clocks, in milliseconds since the epoch: nodes sharing a store need
 * clocks kept in step (NTP), well within the lease.
 */
public final class Nodes implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Nodes.class);
  /** Rows of nodes silent this long are removed (with nothing of theirs left to take over). */
  private static final Duration FORGOTTEN_AFTER = Duration.ofDays(1);

  private final Database database;
  private final Clock clock;
  private final Duration lease;
  private final String selfId = UUID.randomUUID().toString();
  private final String name;
  private final ScheduledExecutorService heartbeat;
  private volatile long lastBeatNanos;

  Nodes(Database database, String name, Duration lease, Clock clock) throws StateStoreException {
    this.database = database;
    this.clock = clock;
    this.lease = lease;
    this.name = name;
    awaitNameFree();
    register("registering node " + name);
    lastBeatNanos = System.nanoTime();
    heartbeat = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("ferry-node-heartbeat"));
    long every = Math.max(100, lease.toMillis() / 3);
    heartbeat.scheduleWithFixedDelay(this::beat, every, every, TimeUnit.MILLISECONDS);
    log.info("node {} ({}) joined the state store {}; lease {}", name, selfId, database, lease);
  }

  /** This node's id for this run: what its locks and journal entries are recorded under. */
  public String selfId() {
    return selfId;
  }

  public String name() {
    return name;
  }

  public Duration lease() {
    return lease;
  }

  /** The oldest heartbeat (ms since the epoch) of a node still alive now. */
  public long aliveSince() {
    return clock.millis() - lease.toMillis();
  }

  /**
   * Whether this node has written a heartbeat within its lease, so that no other node can have
   * taken over what it holds for want of one.
   */
  public boolean holdsItsLease() {
    return System.nanoTime() - lastBeatNanos < lease.toNanos();
  }

  private void beat() {
    long sinceLast = System.nanoTime() - lastBeatNanos;
    try {
      int updated = database.run("heartbeat of node " + name, connection -> {
        try (PreparedStatement update = connection.prepareStatement(
            "UPDATE nodes SET heartbeat_at = ? WHERE node_id = ?")) {
          update.setLong(1, clock.millis());
          update.setString(2, selfId);
          return update.executeUpdate();
        }
      });
      if (updated == 0) {
        log.warn("node {}: its row was removed as long dead; registering again", name);
        register("registering node " + name + " again");
      }
      if (sinceLast > lease.toNanos()) {
        log.warn("node {} wrote no heartbeat for {} ms, longer than its lease ({}): other nodes may have taken over "
            + "its locks and aborted its uploads; writers check their locks before committing", name,
            TimeUnit.NANOSECONDS.toMillis(sinceLast), lease);
      }
      lastBeatNanos = System.nanoTime();
    } catch (StateStoreException | RuntimeException e) {
      log.warn("node {}: heartbeat failed: {}", name, e.getMessage());
    }
  }

  /**
   * A live node's name is unique, or {@code job ID} and {@code sessions} could not tell two nodes
   * apart. A row of this name whose heartbeat is fresh may also be this node's own previous run,
   * killed a moment ago: that one's heartbeat stands still and dies within the lease, so the join
   * waits for it, and is refused as soon as the heartbeat moves (another node is running).
   */
  private void awaitNameFree() throws StateStoreException {
    long giveUp = System.nanoTime() + lease.toNanos() + TimeUnit.SECONDS.toNanos(1);
    Long first = null;
    while (true) {
      Long heartbeat = liveHeartbeatOf(name);
      if (heartbeat == null) {
        return;
      }
      if (first == null) {
        first = heartbeat;
        log.info("node {}: a node of that name beat {} ms ago; waiting up to the lease ({}) to see whether it is alive",
            name, clock.millis() - heartbeat, lease);
      } else if (heartbeat > first || System.nanoTime() > giveUp) {
        throw new StateStoreException("joining as node " + name, database.toString(), new IllegalStateException(
            "store.nodeName '" + name + "' is the name of a live node (its heartbeat is "
                + (clock.millis() - heartbeat) + " ms old): give every node its own store.nodeName"));
      }
      try {
        // Polling a row at start, a few times within one lease: nothing else runs yet to wait on.
        Thread.sleep(Math.max(100, lease.toMillis() / 5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new StateStoreException("joining as node " + name, database.toString(), e);
      }
    }
  }

  /** The newest heartbeat of a live node named {@code nodeName}, or null. */
  private Long liveHeartbeatOf(String nodeName) throws StateStoreException {
    return database.run("looking for a live node named " + nodeName, connection -> {
      try (PreparedStatement select = connection.prepareStatement(
          "SELECT MAX(heartbeat_at) FROM nodes WHERE name = ? AND heartbeat_at >= ?")) {
        select.setString(1, nodeName);
        select.setLong(2, aliveSince());
        try (ResultSet row = select.executeQuery()) {
          if (!row.next()) {
            return null;
          }
          long heartbeat = row.getLong(1);
          return row.wasNull() ? null : heartbeat;
        }
      }
    });
  }

  private void register(String operation) throws StateStoreException {
    long now = clock.millis();
    database.run(operation, connection -> {
      try (PreparedStatement insert = connection.prepareStatement(
          "INSERT INTO nodes (node_id, name, started_at, heartbeat_at) VALUES (?, ?, ?, ?)")) {
        insert.setString(1, selfId);
        insert.setString(2, name);
        insert.setLong(3, now);
        insert.setLong(4, now);
        return insert.executeUpdate();
      }
    });
  }

  /**
   * Whether this node is the one live node that does the store's housekeeping now (the live node
   * with the smallest id): work every node could do, done by one at a time. Another takes over
   * within a lease of this node's death.
   */
  public boolean isHousekeeper() throws StateStoreException {
    return database.run("finding the housekeeping node", connection -> {
      try (PreparedStatement select = connection.prepareStatement(
          "SELECT MIN(node_id) FROM nodes WHERE heartbeat_at >= ?")) {
        select.setLong(1, aliveSince());
        try (ResultSet row = select.executeQuery()) {
          return row.next() && selfId.equals(row.getString(1));
        }
      }
    });
  }

  /** Removes the rows of nodes silent for a day: nothing of theirs is left to take over by then. */
  public int forgetLongDead() throws StateStoreException {
    return database.run("removing long-dead nodes", connection -> {
      try (PreparedStatement delete = connection.prepareStatement("DELETE FROM nodes WHERE heartbeat_at < ?")) {
        delete.setLong(1, clock.millis() - FORGOTTEN_AFTER.toMillis());
        return delete.executeUpdate();
      }
    });
  }

  /** Leaves the store: stops the heartbeat and removes this node's row, so no one waits out its lease. */
  @Override
  public void close() {
    heartbeat.shutdownNow();
    try {
      database.run("node " + name + " leaving", connection -> {
        try (PreparedStatement delete = connection.prepareStatement("DELETE FROM nodes WHERE node_id = ?")) {
          delete.setString(1, selfId);
          return delete.executeUpdate();
        }
      });
    } catch (StateStoreException e) {
      log.warn("node {}: could not leave the state store cleanly: {}", name, e.getMessage());
    }
  }
}
