package dev.ferry.core.state;

import java.sql.Connection;
import java.sql.SQLException;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state store's connections, and the one way to use them: each piece of work gets a pooled
 * connection, and an {@link SQLException} becomes a {@link StateStoreException} that names the
 * operation and the store. The SQL Ferry sends is the same for SQLite and PostgreSQL (both take
 * {@code INSERT ... ON CONFLICT}); where a vendor needs its own, {@link #vendor()} tells which.
 */
public final class Database {

  private static final Logger log = LoggerFactory.getLogger(Database.class);

  public enum Vendor { SQLITE, POSTGRESQL }

  private final HikariDataSource connections;
  /**
   * The connections for {@link #transactionNotFlushed} and {@link #runNotFlushed}, each relaxed for
   * its life: SQLite's {@code synchronous = NORMAL}, PostgreSQL's {@code synchronous_commit = off}.
   */
  private final HikariDataSource notFlushedConnections;
  /** How long a piece of work waits for a connection; 0: the pool's own timeout. */
  private volatile long waitMillis;
  /** Set when, while stopping, no connection came in time: the leave steps after it do not wait again. */
  private volatile boolean unreachableWhileStopping;
  private final Vendor vendor;
  private final String description;

  Database(HikariDataSource connections, HikariDataSource notFlushedConnections, Vendor vendor, String description) {
    this.connections = connections;
    this.notFlushedConnections = notFlushedConnections;
    this.vendor = vendor;
    this.description = description;
  }

  public Vendor vendor() {
    return vendor;
  }

  /**
   * Runs {@code work} on a connection in autocommit mode (each statement its own transaction). Work
   * that fails because its connection was lost (the database restarted since the pool opened it)
   * runs once more on a new connection: every statement Ferry sends may run twice (upserts, deletes,
   * reads), and a pool notices a dead connection only when it is used.
   */
  public <T> T run(String operation, SqlWork<T> work) throws StateStoreException {
    return run(connections, operation, work);
  }

  private <T> T run(HikariDataSource pool, String operation, SqlWork<T> work) throws StateStoreException {
    for (int attempt = 1; ; attempt++) {
      try (Connection connection = connection(pool)) {
        return work.run(connection);
      } catch (SQLException e) {
        if (attempt == 1 && connectionLost(e) && !unreachableWhileStopping) {
          log.info("{}: connection to {} lost ({}); once more on a new one", operation, description, e.getMessage());
          continue;
        }
        throw new StateStoreException(operation, description, e);
      } catch (RuntimeException e) {
        throw new StateStoreException(operation, description, e);
      }
    }
  }

  private Connection connection(HikariDataSource pool) throws SQLException {
    long wait = waitMillis;
    if (wait > 0 && unreachableWhileStopping) {
      throw new SQLException("unreachable a moment ago, not tried again while stopping", "08001");
    }
    // The pool is Hikari's own class behind its MXBean: the one way to a shorter wait per call.
    if (wait == 0) {
      return pool.getConnection();
    }
    try {
      return ((HikariPool) pool.getHikariPoolMXBean()).getConnection(wait);
    } catch (SQLException e) {
      unreachableWhileStopping = true;
      throw e;
    }
  }

  /**
   * From now on a piece of work waits at most {@code wait} for a connection, where it waited the
   * pool's 10 s: a node stopping while its PostgreSQL is gone would wait that long at each of its
   * leave steps (sessions, locks, jobs, its node row), 35-60 s in all, past its shutdown grace.
   */
  void waitLessForConnections(java.time.Duration wait) {
    waitMillis = Math.max(250, wait.toMillis());
  }

  /**
   * SQLSTATE class 08 (connection exceptions), and PostgreSQL's 57P01-57P03: the server ended the
   * connection as it stopped, crashed or was starting, which a connection idle in the pool through a
   * restart answers on its first use (the pool drops such connections).
   */
  private static boolean connectionLost(SQLException e) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof SQLException sql && sql.getSQLState() != null
          && (sql.getSQLState().startsWith("08") || sql.getSQLState().matches("57P0[123]"))) {
        return true;
      }
    }
    return false;
  }

  /**
   * Runs {@code work} in one transaction: all of it is committed, or none of it, and the commit is
   * on the disk before this returns (SQLite's {@code synchronous=FULL}, PostgreSQL's default).
   */
  public <T> T transaction(String operation, SqlWork<T> work) throws StateStoreException {
    return run(operation, connection -> inTransaction(connection, work));
  }

  /**
   * Runs {@code work} in one transaction, all or nothing, whose commit is not waited onto the disk:
   * a crash of Ferry loses nothing, a crash of the machine (power, kernel) may lose the last such
   * commits, never half of one, and the next flushed commit or checkpoint makes them durable with
   * it. For what can be known again, where a flush per operation cost more than the operation
   * (0.5-1 ms, a third of a small file's create). The connections are relaxed for their life (a pool
   * of their own): on SQLite, setting it and back on a shared connection took four more statements
   * a transaction (in a profile of small creates, SQLite's CPU per create went from 0.29 to 0.21 ms
   * without them); on PostgreSQL, a {@code SET LOCAL} per transaction was one more round trip.
   */
  public <T> T transactionNotFlushed(String operation, SqlWork<T> work) throws StateStoreException {
    return run(notFlushedConnections, operation, connection -> inTransaction(connection, work));
  }

  /**
   * Runs {@code work} in autocommit mode on the connections of {@link #transactionNotFlushed}: for
   * one statement (atomic by itself) whose commit need not reach the disk before it returns. On
   * PostgreSQL that is one round trip, where a transaction of one statement takes two.
   */
  public <T> T runNotFlushed(String operation, SqlWork<T> work) throws StateStoreException {
    return run(notFlushedConnections, operation, work);
  }

  private static <T> T inTransaction(Connection connection, SqlWork<T> work) throws SQLException {
    connection.setAutoCommit(false);
    T result;
    try {
      result = work.run(connection);
      connection.commit();
    } catch (SQLException | RuntimeException e) {
      afterFailure(e, () -> {
        connection.rollback();
        connection.setAutoCommit(true);
      });
      throw e;
    }
    connection.setAutoCommit(true);
    return result;
  }

  private interface Cleanup {
    void run() throws SQLException;
  }

  /**
   * Cleans up after {@code failure} without hiding it: on a lost connection the pool has closed it,
   * so the clean-up fails too, and its "Connection is closed" must not take the place of the
   * failure whose SQLSTATE tells {@link #run} to try once more on a new connection.
   */
  private static void afterFailure(Exception failure, Cleanup cleanup) {
    try {
      cleanup.run();
    } catch (SQLException | RuntimeException e) {
      failure.addSuppressed(e);
    }
  }

  @Override
  public String toString() {
    return description;
  }
}
