package dev.ferry.jobs.sync;

import dev.ferry.core.state.Database;
import dev.ferry.core.state.StateStoreException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Optional;

/**
 * When each sync's next runs fall due, in the state store, so that all nodes share one schedule:
 * the node that moves a due time on (a compare-and-set on the old value) is the one that starts
 * the run, and the others see it moved. Batches keep their schedule here too, as rows named
 * "batch NAME" (a sync's name has no space) with incremental runs only.
 */
public final class SyncSchedule {

  /** A sync's row; times in milliseconds since the epoch. */
  public record Due(long incrementalAt, long fullAt, boolean fullPending) {}

  public enum Kind {
    INCREMENTAL("next_incremental_at"), FULL("next_full_at");

    final String column;

    Kind(String column) {
      this.column = column;
    }
  }

  private final Database database;

  public SyncSchedule(Database database) {
    this.database = database;
  }

  /** Adds the sync's row if it has none (a sync new to the store). */
  public void ensure(String name, long incrementalAt, long fullAt) throws StateStoreException {
    database.run("adding sync " + name + " to the schedule", connection -> {
      try (PreparedStatement insert = connection.prepareStatement("INSERT INTO sync_schedule (name,"
          + " next_incremental_at, next_full_at, full_pending) VALUES (?, ?, ?, 0) ON CONFLICT (name) DO NOTHING")) {
        insert.setString(1, name);
        insert.setLong(2, incrementalAt);
        insert.setLong(3, fullAt);
        return insert.executeUpdate();
      }
    });
  }

  public Optional<Due> read(String name) throws StateStoreException {
    return database.run("reading the schedule of sync " + name, connection -> {
      try (PreparedStatement select = connection.prepareStatement("SELECT next_incremental_at, next_full_at,"
          + " full_pending FROM sync_schedule WHERE name = ?")) {
        select.setString(1, name);
        try (ResultSet row = select.executeQuery()) {
          return row.next() ? Optional.of(new Due(row.getLong(1), row.getLong(2), row.getInt(3) != 0))
              : Optional.<Due>empty();
        }
      }
    });
  }

  /** Moves a due time from {@code expected} to {@code next}; false when another node moved it first. */
  public boolean advance(String name, Kind kind, long expected, long next) throws StateStoreException {
    return database.run("moving on the schedule of sync " + name, connection -> {
      try (PreparedStatement update = connection.prepareStatement("UPDATE sync_schedule SET " + kind.column
          + " = ? WHERE name = ? AND " + kind.column + " = ?")) {
        update.setLong(1, next);
        update.setString(2, name);
        update.setLong(3, expected);
        return update.executeUpdate() == 1;
      }
    });
  }

  /** Sets or clears the full run that waits for the running one; true when this call changed it. */
  boolean setFullPending(String name, boolean pending) throws StateStoreException {
    return database.run("marking a full run of sync " + name, connection -> {
      try (PreparedStatement update = connection.prepareStatement("UPDATE sync_schedule SET full_pending = ?"
          + " WHERE name = ? AND full_pending = ?")) {
        update.setInt(1, pending ? 1 : 0);
        update.setString(2, name);
        update.setInt(3, pending ? 0 : 1);
        return update.executeUpdate() == 1;
      }
    });
  }
}
