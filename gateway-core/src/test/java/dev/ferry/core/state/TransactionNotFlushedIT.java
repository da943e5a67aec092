package dev.ferry.core.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.ferry.core.testing.PostgresTestServer;
import dev.ferry.core.testing.TestStateStores;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A transaction not flushed runs without waiting for the disk, and only it: the connection it
 * used flushes every later commit again (jobs and users must reach the disk before "OK"), also
 * after one that failed.
 */
class TransactionNotFlushedIT {

  @RegisterExtension
  static final PostgresTestServer postgres = new PostgresTestServer();

  @TempDir
  Path directory;

  private StateStore open(String kind) throws IOException {
    return kind.equals("embedded") ? TestStateStores.embedded(directory)
        : TestStateStores.postgres(postgres.newDatabase(), "node-1", Duration.ofSeconds(15));
  }

  /** SQLite's synchronous level (2 = FULL, 1 = NORMAL), PostgreSQL's synchronous_commit. */
  private static String flushSetting(Connection connection) throws SQLException {
    boolean sqlite = connection.getMetaData().getDatabaseProductName().toLowerCase().contains("sqlite");
    try (Statement statement = connection.createStatement();
        ResultSet row = statement.executeQuery(sqlite ? "PRAGMA synchronous" : "SHOW synchronous_commit")) {
      row.next();
      return row.getString(1);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"embedded", "postgresql"})
  void onlyTheTransactionItselfIsNotFlushed_alsoWhenItFails(String kind) throws IOException {
    try (StateStore state = open(kind)) {
      Database database = state.database();
      String flushed = database.run("reading", TransactionNotFlushedIT::flushSetting);
      String relaxed = kind.equals("embedded") ? "1" : "off";
      assertEquals(kind.equals("embedded") ? "2" : "on", flushed);

      for (int i = 0; i < 5; i++) {
        assertEquals(relaxed, database.transactionNotFlushed("relaxed", TransactionNotFlushedIT::flushSetting));
        assertEquals(flushed, database.run("reading", TransactionNotFlushedIT::flushSetting), "after a relaxed commit");
        assertEquals(relaxed, database.runNotFlushed("relaxed, one statement", TransactionNotFlushedIT::flushSetting));
        assertEquals(flushed, database.transaction("flushed", TransactionNotFlushedIT::flushSetting),
            "after a relaxed statement");
        assertEquals(flushed, database.transaction("flushed", TransactionNotFlushedIT::flushSetting));
        assertThrows(StateStoreException.class, () -> database.transactionNotFlushed("failing", c -> {
          throw new SQLException("the work failed");
        }));
        assertEquals(flushed, database.run("reading", TransactionNotFlushedIT::flushSetting),
            "after a relaxed one failed");
      }
    }
  }
}
