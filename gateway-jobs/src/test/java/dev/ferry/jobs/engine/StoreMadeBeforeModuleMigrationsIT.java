package dev.ferry.jobs.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ferry.core.state.StateStore;
import dev.ferry.core.testing.PostgresTestServer;
import dev.ferry.core.testing.TestStateStores;
import dev.ferry.jobs.transfer.TransferKind;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Stores made when gateway-core held every migration (V3, V4 and V7, the jobs' tables, among them)
 * open under the layout where each module holds its own: Flyway finds each applied migration again,
 * with its version, description and checksum, and applies nothing twice. The embedded store is a
 * file made by the earlier version; both stores are also migrated here from one location holding
 * all eight files, as core's was.
 */
class StoreMadeBeforeModuleMigrationsIT {

  @RegisterExtension
  static final PostgresTestServer postgres = new PostgresTestServer();

  /** Every migration of the earlier layout, by where it is now: all were in core's location then. */
  private static final Map<String, List<String>> MIGRATIONS_NOW_AT = Map.of(
      "dev/ferry/core/state/migration/", List.of("V1__object_catalog.sql", "V2__nodes_journal_locks_bans.sql",
          "V5__disabled_users.sql", "V6__node_sessions_console_sessions.sql", "V8__user_accounts.sql"),
      "dev/ferry/jobs/migration/", List.of("V3__jobs.sql", "V4__runs_and_sync_schedule.sql",
          "V7__job_finished_at.sql"));
  private static final List<String> EARLIER = List.of("V1__object_catalog.sql", "V2__nodes_journal_locks_bans.sql",
      "V3__jobs.sql", "V4__runs_and_sync_schedule.sql", "V5__disabled_users.sql",
      "V6__node_sessions_console_sessions.sql", "V7__job_finished_at.sql", "V8__user_accounts.sql");
  /** The earlier layout's migrations, then those added since, each applied once. */
  private static final List<String> APPLIED = java.util.stream.Stream.concat(EARLIER.stream(),
      java.util.stream.Stream.of("V9__user_login_limits.sql", "V10__user_policy.sql", "V11__quota_usage.sql",
          "V12__user_folders.sql", "V13__quota_scans.sql")).toList();
  /** The job queued in the fixture by the earlier version's JobStore. */
  private static final String FIXTURE_JOB = "made-before-module-migrations";

  @TempDir
  Path directory;

  @Test
  void open_embeddedStoreOfTheEarlierVersion_validatesAndKeepsItsJobs() throws Exception {
    try (InputStream fixture = getClass().getResourceAsStream("state-made-before-module-migrations.db")) {
      Files.copy(fixture, directory.resolve("state.db"));
    }
    try (StateStore state = TestStateStores.embedded(directory)) {
      assertEquals(APPLIED, appliedScripts(state), "migrations applied, in order, none again");
      JobRecord job = jobs(state).find(FIXTURE_JOB).orElseThrow();
      assertEquals(JobState.QUEUED, job.state());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"embedded", "postgresql"})
  void open_storeMigratedFromOneLocationWithEveryFile_validatesAndTakesJobs(String kind) throws Exception {
    Path oneLocation = Files.createDirectories(directory.resolve("migration"));
    for (Map.Entry<String, List<String>> location : MIGRATIONS_NOW_AT.entrySet()) {
      for (String script : location.getValue()) {
        try (InputStream in = getClass().getClassLoader().getResourceAsStream(location.getKey() + script)) {
          Files.copy(in, oneLocation.resolve(script));
        }
      }
    }
    String database = kind.equals("embedded") ? null : postgres.newDatabase();
    Flyway earlier = kind.equals("embedded")
        ? Flyway.configure().dataSource("jdbc:sqlite:" + directory.resolve("state.db"), null, null)
            .locations("filesystem:" + oneLocation).load()
        : Flyway.configure().dataSource(database, PostgresTestServer.USER, "").locations("filesystem:" + oneLocation)
            .load();
    assertEquals(EARLIER.size(), earlier.migrate().migrationsExecuted);

    try (StateStore state = kind.equals("embedded") ? TestStateStores.embedded(directory)
        : TestStateStores.postgres(database, "node-1", Duration.ofSeconds(30))) {
      assertEquals(APPLIED, appliedScripts(state), "migrations applied, in order, none again");
      jobs(state).insert(JobStoreIT.queued("aaaa00000001"), System.currentTimeMillis());
      assertEquals(JobState.QUEUED, jobs(state).find("aaaa00000001").orElseThrow().state());
    }
  }

  private static JobStore jobs(StateStore state) {
    return new JobStore(state.database(), List.of(TransferKind.asStored()));
  }

  /** The scripts Flyway's history says were applied successfully, in the order they were. */
  private static List<String> appliedScripts(StateStore state) throws IOException {
    return state.database().run("reading the schema history", connection -> {
      Map<Integer, String> byRank = new TreeMap<>();
      try (ResultSet rows = connection.createStatement().executeQuery(
          "SELECT installed_rank, script FROM flyway_schema_history WHERE success")) {
        while (rows.next()) {
          byRank.put(rows.getInt(1), rows.getString(2));
        }
      }
      return new ArrayList<>(byRank.values());
    });
  }
}
