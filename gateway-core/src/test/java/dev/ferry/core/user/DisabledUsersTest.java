package dev.ferry.core.user;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.state.StateStore;
import dev.ferry.core.testing.MutableClock;
import dev.ferry.core.testing.PostgresTestServer;
import dev.ferry.core.testing.TestStateStores;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Disabled users in real state stores: the V5 table on SQLite and on PostgreSQL, shared by two nodes. */
class DisabledUsersTest {

  @RegisterExtension
  static final PostgresTestServer postgres = new PostgresTestServer();

  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-24T12:00:00Z"));

  @TempDir
  Path directory;

  @Test
  void disableEnable_onSqlite_keptInTheStore() throws Exception {
    try (StateStore store = TestStateStores.embedded(directory)) {
      disableEnableRoundTrip(new DisabledUsers(store.database(), clock));
    }
  }

  @Test
  void disableEnable_onPostgres_seenByAnotherNodeSharingTheStore() throws Exception {
    String url = postgres.newDatabase();
    try (StateStore one = TestStateStores.postgres(url, "node-1", Duration.ofSeconds(15));
        StateStore two = TestStateStores.postgres(url, "node-2", Duration.ofSeconds(15))) {
      DisabledUsers onOne = new DisabledUsers(one.database(), clock);
      DisabledUsers onTwo = new DisabledUsers(two.database(), clock);
      disableEnableRoundTrip(onOne);

      onOne.disable("bob", "audit", "ops");

      assertEquals("audit", onTwo.check("bob").orElseThrow().reason());
      assertTrue(onTwo.enable("bob"));
      assertTrue(onOne.check("bob").isEmpty());
    }
  }

  private void disableEnableRoundTrip(DisabledUsers users) throws Exception {
    assertTrue(users.check("alice").isEmpty());

    users.disable("alice", "left", "ops");
    clock.advance(Duration.ofMinutes(1));
    users.disable("alice", "left the team", "token:ci");

    DisabledUsers.Disabling alice = users.check("alice").orElseThrow();
    assertEquals("left the team", alice.reason(), "disabled again: the reason is replaced");
    assertEquals("token:ci", alice.by());
    assertEquals(Instant.parse("2026-11-24T12:01:00Z"), alice.at());
    assertEquals(List.of("alice"), List.copyOf(users.all().keySet()));
    assertEquals(Optional.of(alice), users.lastRead("alice"));

    assertTrue(users.enable("alice"));
    assertFalse(users.enable("alice"), "not disabled any more");
    assertTrue(users.check("alice").isEmpty());
    assertTrue(users.all().isEmpty());
    assertTrue(users.lastRead("alice").isEmpty());
  }

  /** A store that cannot be asked: the answer is the one last read, so a disabled user stays out. */
  @Test
  void storeUnreachable_lastReadAnswer() throws Exception {
    StateStore store = TestStateStores.embedded(directory);
    DisabledUsers users = new DisabledUsers(store.database(), clock);
    users.disable("mallory", "", "ops");
    users.check("alice");
    store.close();

    assertTrue(users.check("mallory").isPresent());
    assertTrue(users.check("alice").isEmpty());
  }
}
