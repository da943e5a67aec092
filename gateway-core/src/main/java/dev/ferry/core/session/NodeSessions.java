package dev.ferry.core.session;

import dev.ferry.core.event.SessionInfo;
import dev.ferry.core.state.Database;
import dev.ferry.core.state.Nodes;
import dev.ferry.core.state.StateStoreException;
import dev.ferry.core.thread.DaemonThreads;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client sessions of every node sharing the store (PostgreSQL). Each node publishes its own
 * (with the files they have open) when they change, and at least every {@link #REPUBLISH}; rows of
 * a node whose heartbeat is older than the lease are ignored. A disconnect asked for on one node of
 * another's session is a row the owning node takes within a {@link #TICK} and carries out as its
 * own disconnect command would. The other nodes' sessions, read every tick, are what this node's
 * {@link SessionSlots} count against the per-user and per-address limits: a dead node's stop
 * counting once its lease lapses.
 */
public final class NodeSessions implements SessionSlots.OtherNodes, AutoCloseable {

  /** A session as its node published it. */
  public record Published(String node, SessionInfo session, List<LiveTransfers.Transfer> transfers) {}

  private static final Logger log = LoggerFactory.getLogger(NodeSessions.class);
  private static final Duration TICK = Duration.ofSeconds(1);
  /** Even unchanged, so a node back from a pause longer than its lease is seen again, and dead rows go. */
  private static final Duration REPUBLISH = Duration.ofSeconds(10);
  /**
   * How often the bytes so far of open files are brought up to date for the other nodes. A session
   * or a file that comes or goes is published at the next tick; bytes alone change every tick while
   * anything moves, and rewriting every row each second for them would load the shared store.
   */
  private static final Duration BYTES_EVERY = Duration.ofSeconds(5);

  private final Database database;
  private final Nodes nodes;
  private final SessionSlots slots;
  private final LiveTransfers transfers;
  private final Clock clock;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
      DaemonThreads.named("ferry-node-sessions"));
  // Only the timer's thread touches these.
  private List<Published> lastPublished;
  private long lastPublishedNanos;
  /** The other live nodes' logged-in sessions by user and by address, as of the last tick. */
  private volatile Map<String, Integer> othersByUser = Map.of();
  private volatile Map<String, Integer> othersByAddress = Map.of();

  public NodeSessions(Database database, Nodes nodes, SessionSlots slots, LiveTransfers transfers, Clock clock) {
    this.database = database;
    this.nodes = nodes;
    this.slots = slots;
    this.transfers = transfers;
    this.clock = clock;
    timer.scheduleWithFixedDelay(this::tick, 0, TICK.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The sessions of the other live nodes, by node name. */
  public List<Published> others() throws StateStoreException {
    long aliveSince = nodes.aliveSince();
    return database.run("reading other nodes' sessions", connection -> {
      try (PreparedStatement select = connection.prepareStatement("SELECT n.name, s.session_id, s.protocol,"
          + " s.address, s.user_name, s.transfers FROM node_sessions s JOIN nodes n ON n.node_id = s.node_id"
          + " WHERE n.heartbeat_at >= ? AND s.node_id <> ? ORDER BY n.name, s.session_id")) {
        select.setLong(1, aliveSince);
        select.setString(2, nodes.selfId());
        List<Published> sessions = new ArrayList<>();
        try (ResultSet rows = select.executeQuery()) {
          while (rows.next()) {
            SessionInfo session = new SessionInfo(rows.getString(2), rows.getString(3), rows.getString(4),
                rows.getString(5));
            sessions.add(new Published(rows.getString(1), session, TransferLines.parse(session, rows.getString(6))));
          }
        }
        return sessions;
      }
    });
  }

  /**
   * Asks the live node that has session {@code id} to disconnect it; that node's name, or empty
   * when no live node has it.
   */
  public Optional<String> requestDisconnect(String id, String requestedBy) throws StateStoreException {
    long aliveSince = nodes.aliveSince();
    return database.transaction("asking for a disconnect of " + id, connection -> {
      String nodeId;
      String nodeName;
      try (PreparedStatement select = connection.prepareStatement("SELECT n.node_id, n.name FROM node_sessions s"
          + " JOIN nodes n ON n.node_id = s.node_id WHERE s.session_id = ? AND n.heartbeat_at >= ?")) {
        select.setString(1, id);
        select.setLong(2, aliveSince);
        try (ResultSet row = select.executeQuery()) {
          if (!row.next()) {
            return Optional.<String>empty();
          }
          nodeId = row.getString(1);
          nodeName = row.getString(2);
        }
      }
      try (PreparedStatement insert = connection.prepareStatement("INSERT INTO disconnect_requests (session_id,"
          + " node_id, requested_by, requested_at) VALUES (?, ?, ?, ?) ON CONFLICT (session_id) DO UPDATE SET"
          + " node_id = excluded.node_id, requested_by = excluded.requested_by, requested_at = excluded.requested_at")) {
        insert.setString(1, id);
        insert.setString(2, nodeId);
        insert.setString(3, requestedBy);
        insert.setLong(4, clock.millis());
        insert.executeUpdate();
      }
      return Optional.of(nodeName);
    });
  }

  @Override
  public int sessionsOf(String user) {
    return othersByUser.getOrDefault(user, 0);
  }

  @Override
  public int sessionsFrom(String address) {
    return othersByAddress.getOrDefault(address, 0);
  }

  private void tick() {
    try {
      carryOutRequests();
      publishIfChanged();
      countOthers();
    } catch (StateStoreException | RuntimeException e) {
      log.warn("node {}: publishing its sessions failed: {}", nodes.name(), e.getMessage());
    }
  }

  private void countOthers() throws StateStoreException {
    Map<String, Integer> byUser = new HashMap<>();
    Map<String, Integer> byAddress = new HashMap<>();
    for (Published published : others()) {
      if (published.session().user() != null) {
        byUser.merge(published.session().user(), 1, Integer::sum);
      }
      byAddress.merge(published.session().address(), 1, Integer::sum);
    }
    othersByUser = Map.copyOf(byUser);
    othersByAddress = Map.copyOf(byAddress);
  }

  private void carryOutRequests() throws StateStoreException {
    List<String[]> requests = database.run("reading disconnect requests", connection -> {
      List<String[]> found = new ArrayList<>();
      try (PreparedStatement select = connection.prepareStatement(
          "SELECT session_id, requested_by FROM disconnect_requests WHERE node_id = ?")) {
        select.setString(1, nodes.selfId());
        try (ResultSet rows = select.executeQuery()) {
          while (rows.next()) {
            found.add(new String[] {rows.getString(1), rows.getString(2)});
          }
        }
      }
      return found;
    });
    for (String[] request : requests) {
      int taken = database.run("taking the disconnect request of " + request[0], connection -> {
        try (PreparedStatement delete = connection.prepareStatement(
            "DELETE FROM disconnect_requests WHERE session_id = ? AND node_id = ?")) {
          delete.setString(1, request[0]);
          delete.setString(2, nodes.selfId());
          return delete.executeUpdate();
        }
      });
      if (taken == 1) { // once, however many ticks saw it
        boolean done = slots.disconnect(request[0], "disconnected by administrator " + request[1]);
        log.info("node {}: disconnect of {} asked by {} on another node: {}", nodes.name(), request[0], request[1],
            done ? "done" : "no such session any more");
      }
    }
  }

  private void publishIfChanged() throws StateStoreException {
    List<Published> now = mine();
    long since = System.nanoTime() - lastPublishedNanos;
    if (lastPublished != null && withoutBytes(now).equals(withoutBytes(lastPublished))
        && since < (now.equals(lastPublished) ? REPUBLISH : BYTES_EVERY).toNanos()) {
      return;
    }
    long aliveSince = nodes.aliveSince();
    database.transaction("publishing node " + nodes.name() + "'s sessions", connection -> {
      try (PreparedStatement delete = connection.prepareStatement(
          "DELETE FROM node_sessions WHERE node_id = ? OR node_id NOT IN"
              + " (SELECT node_id FROM nodes WHERE heartbeat_at >= ?)")) {
        delete.setString(1, nodes.selfId());
        delete.setLong(2, aliveSince);
        delete.executeUpdate();
      }
      try (PreparedStatement insert = connection.prepareStatement("INSERT INTO node_sessions (node_id, session_id,"
          + " protocol, address, user_name, transfers) VALUES (?, ?, ?, ?, ?, ?)")) {
        for (Published published : now) {
          SessionInfo s = published.session();
          insert.setString(1, nodes.selfId());
          insert.setString(2, s.id());
          insert.setString(3, s.protocol());
          insert.setString(4, s.address());
          insert.setString(5, s.user());
          insert.setString(6, TransferLines.format(published.transfers()));
          insert.addBatch();
        }
        insert.executeBatch();
      }
      return null;
    });
    lastPublished = now;
    lastPublishedNanos = System.nanoTime();
  }

  /** The sessions and their open files, without how far each file got. */
  private static List<Published> withoutBytes(List<Published> sessions) {
    return sessions.stream().map(p -> new Published(p.node(), p.session(), p.transfers().stream()
        .map(t -> new LiveTransfers.Transfer(t.session(), t.protocol(), t.user(), t.path(), t.direction(), 0,
            t.since())).toList())).toList();
  }

  /** This node's logged-in sessions with their open files. */
  private List<Published> mine() {
    List<LiveTransfers.Transfer> open = transfers.now();
    List<Published> sessions = new ArrayList<>();
    for (SessionInfo session : slots.loggedIn()) {
      sessions.add(new Published(nodes.name(), session, open.stream()
          .filter(t -> session.id().equals(t.session())).toList()));
    }
    return sessions;
  }

  /** Stops publishing and removes this node's rows: its sessions end with it. */
  @Override
  public void close() {
    timer.shutdownNow();
    try {
      timer.awaitTermination(5, TimeUnit.SECONDS);
      database.run("removing node " + nodes.name() + "'s sessions", connection -> {
        try (PreparedStatement delete = connection.prepareStatement("DELETE FROM node_sessions WHERE node_id = ?")) {
          delete.setString(1, nodes.selfId());
          return delete.executeUpdate();
        }
      });
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (StateStoreException e) {
      log.warn("node {}: its published sessions stay until the others see it dead: {}", nodes.name(), e.getMessage());
    }
  }
}
