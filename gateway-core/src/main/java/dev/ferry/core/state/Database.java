package dev.ferry.core.state;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
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

  private final DataSource connections;
  private final Vendor vendor;
  private final String description;

  Database(DataSource connections, Vendor vendor, String description) {
    this.connections = connections;
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
    for (int attempt = 1; ; attempt++) {
      try (Connection connection = connections.getConnection()) {
        return work.run(connection);
      } catch (SQLException e) {
        if (attempt == 1 && connectionLost(e)) {
          log.info("{}: connection to {} lost ({}); once more on a new one", operation, description, e.getMessage());
          continue;
        }
        throw new StateStoreException(operation, description, e);
      } catch (RuntimeException e) {
        throw new StateStoreException(operation, description, e);
      }
    }
  }

  /** SQLSTATE class 08: connection exceptions (the pool drops such connections). */
  private static boolean connectionLost(SQLException e) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof SQLException sql && sql.getSQLState() != null && sql.getSQLState().startsWith("08")) {
        return true;
      }
    }
    return false;
  }

  /** Runs {@code work} in one transaction: all of it is committed, or none of it. */
  public <T> T transaction(String operation, SqlWork<T> work) throws StateStoreException {
    return run(operation, connection -> {
      connection.setAutoCommit(false);
      try {
        T result = work.run(connection);
        connection.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        connection.rollback();
        throw e;
      } finally {
        connection.setAutoCommit(true);
      }
    });
  }

  @Override
  public String toString() {
    return description;
  }
}
