package dev.ferry.core.catalog;

import dev.ferry.core.state.Database;
import dev.ferry.core.state.StateStoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drops the catalog's entries of versions that are gone (a file deleted or moved away, the older
 * versions of a key written again) after the change that asked for it has answered, many to a
 * transaction. An entry counts only while S3 holds its ETag, so dropping it is tidying and nobody
 * needs to wait for it: on the request's path it was a transaction per file removed, on PostgreSQL
 * three round trips, and an sshfs {@code rm -rf} took 13 % longer with them there (bench/README.md,
 * stop 71).
 *
 * <p>A drop takes only the entries recorded no later than the millisecond it was asked in, so a key
 * written again meanwhile keeps the entry of its new version: that write is recorded after the
 * delete or move that asked for the drop (both under the key's lock), and a client's next write
 * reaches the catalog more than a millisecond later. Until a drop has run (within about
 * {@link #GATHER}), the entry of a deleted file still matches an object that another S3 client
 * writes at the same key with the same bytes (the same ETag): that object shows the deleted file's
 * client time meanwhile. Times are each
 * node's clock: on nodes sharing PostgreSQL, a key written again through another node within the
 * two clocks' difference of its delete can lose its new entry, and then shows as an object another
 * S3 client wrote (S3's time, no SHA-256), as after any lost entry.
 *
 * <p>Drops wait in memory: those not yet run when the process dies stay in the catalog, matching
 * nothing, as a failed drop always has. With more than {@link #WAITING_AT_MOST} waiting, the asker
 * runs its own, so the list stays bounded whatever the rate of deletes.
 */
final class CatalogTidying {

  private static final Logger log = LoggerFactory.getLogger(CatalogTidying.class);

  /** Drops per transaction. */
  static final int BATCH = 500;
  /**
   * How long a run waits for more drops before it starts: a transaction per drop cost as much as
   * the drop's request path saved (a thread woken and a commit for each file of an {@code rm -rf}).
   */
  static final Duration GATHER = Duration.ofMillis(50);
  /** Drops waiting at most (about 150 bytes each) before an asker runs its own. */
  static final int WAITING_AT_MOST = 10_000;

  private static final String DROP = "DELETE FROM object_facts WHERE bucket = ? AND object_key = ? AND recorded_at <= ?";
  private static final String DROP_OTHERS = DROP + " AND etag <> ?";

  /** Entries of {@code key} recorded at or before {@code askedAt}, all but {@code keptEtag}'s when it is set. */
  record Drop(String bucket, String key, String keptEtag, long askedAt) {}

  private final Database database;
  private final Executor runner;
  private final ArrayDeque<Drop> waiting = new ArrayDeque<>(); // guarded by this
  private boolean running; // guarded by this: a run is scheduled on the runner or under way

  /** {@code runner}: where the drops run, one run at a time (Ferry's: a thread of their own). */
  CatalogTidying(Database database, Executor runner) {
    this.database = database;
    this.runner = runner;
  }

  /** Asks for {@code drop}; it runs after this returns unless too many are waiting. */
  void ask(Drop drop) {
    boolean inline;
    synchronized (this) {
      inline = waiting.size() >= WAITING_AT_MOST;
      if (!inline) {
        waiting.add(drop);
        if (running) {
          return;
        }
        running = true;
      }
    }
    if (inline) {
      run(List.of(drop));
      return;
    }
    try {
      runner.execute(this::gatherThenRun);
    } catch (RejectedExecutionException closing) {
      runWaiting(); // the catalog is closing: the asker tidies, without waiting for more
    }
  }

  /** On the runner: waits {@link #GATHER} for the drops that follow, then runs them all. */
  private void gatherThenRun() {
    try {
      // A sleep, not a timer: this is the tidying's own thread, and a client removing a tree asks
      // a drop a millisecond, so the wait is what puts them into one transaction.
      Thread.sleep(GATHER.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    runWaiting();
  }

  /** Runs the waiting drops, a batch per transaction, until none is left. */
  private void runWaiting() {
    while (true) {
      List<Drop> batch = new ArrayList<>();
      synchronized (this) {
        while (batch.size() < BATCH && !waiting.isEmpty()) {
          batch.add(waiting.poll());
        }
        if (batch.isEmpty()) {
          running = false;
          notifyAll();
          return;
        }
      }
      run(batch);
    }
  }

  /** Waits until no drop asked before this call is left waiting or running. */
  synchronized void awaitIdle() throws InterruptedException {
    while (running || !waiting.isEmpty()) {
      wait();
    }
  }

  private void run(List<Drop> batch) {
    List<Drop> all = batch.stream().filter(drop -> drop.keptEtag() == null).toList();
    List<Drop> others = batch.stream().filter(drop -> drop.keptEtag() != null).toList();
    try {
      database.transactionNotFlushed("tidying the entries of " + describe(batch), connection -> {
        execute(connection, DROP, all);
        execute(connection, DROP_OTHERS, others);
        return null;
      });
    } catch (StateStoreException | RuntimeException e) {
      log.warn("{}; the entries stay, matching nothing", e.getMessage());
    }
  }

  private static void execute(Connection connection, String sql, List<Drop> drops) throws SQLException {
    if (drops.isEmpty()) {
      return;
    }
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      for (Drop drop : drops) {
        statement.setString(1, drop.bucket());
        statement.setString(2, drop.key());
        statement.setLong(3, drop.askedAt());
        if (drop.keptEtag() != null) {
          statement.setString(4, drop.keptEtag());
        }
        statement.addBatch();
      }
      statement.executeBatch();
    }
  }

  private static String describe(List<Drop> batch) {
    Drop first = batch.get(0);
    return batch.size() == 1 ? "s3://" + first.bucket() + "/" + first.key()
        : batch.size() + " objects (s3://" + first.bucket() + "/" + first.key() + " first)";
  }
}
