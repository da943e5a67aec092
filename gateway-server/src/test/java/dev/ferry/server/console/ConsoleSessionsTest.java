package dev.ferry.server.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.state.StateStore;
import dev.ferry.core.state.StateStoreException;
import dev.ferry.core.testing.MutableClock;
import dev.ferry.core.testing.TestStateStores;
import dev.ferry.core.user.DisabledUsers;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Console sessions in a real state store (the embedded SQLite file; ConsoleNodesIT: PostgreSQL and two nodes). */
class ConsoleSessionsTest {

  final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  @TempDir
  Path dir;
  StateStore store;
  ConsoleSessions sessions;

  @BeforeEach
  void open() throws IOException {
    store = TestStateStores.embedded(dir);
    sessions = new ConsoleSessions(store.database(), clock, Duration.ofMinutes(30), Duration.ofHours(12), "node-1");
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void create_storesOnlyTheIdsHash_andAnotherNodeFindsTheSession() throws Exception {
    ConsoleSession session = sessions.create("ops");
    String stored = store.database().run("reading", connection -> {
      try (PreparedStatement select = connection.prepareStatement("SELECT id_sha256 FROM console_sessions");
          ResultSet row = select.executeQuery()) {
        row.next();
        return row.getString(1);
      }
    });
    assertFalse(stored.contains(session.id()), "the id itself is not stored");
    assertEquals(64, stored.length(), stored);

    ConsoleSessions otherNode = new ConsoleSessions(store.database(), clock, Duration.ofMinutes(30),
        Duration.ofHours(12), "node-2");
    ConsoleSession there = otherNode.touch(session.id()).orElseThrow();
    assertEquals("ops", there.user());
    assertEquals(session.csrfToken(), there.csrfToken());
    assertEquals("node-2", there.node());
  }

  @Test
  void touch_withinIdleTime_keepsTheSessionAlive() throws StateStoreException {
    ConsoleSession session = sessions.create("ops");
    for (int i = 1; i <= 24; i++) { // a request every 29 minutes: never idle for 30
      clock.advance(Duration.ofMinutes(29));
      assertTrue(sessions.touch(session.id()).isPresent(), "after " + i * 29 + " minutes");
    }
    clock.advance(Duration.ofMinutes(29)); // 12h05m after sign-in
    assertFalse(sessions.touch(session.id()).isPresent(), "never past the absolute end (12h)");
  }

  /** A signed-in admin disabled (on any node: the store is shared) loses the session, and an enable does not bring it back. */
  @Test
  void touch_afterTheUserWasDisabled_ended_andStaysEndedAfterAnEnable() throws StateStoreException {
    ConsoleSession ops = sessions.create("ops");
    ConsoleSession other = sessions.create("root");
    DisabledUsers disabled = new DisabledUsers(store.database(), clock);
    disabled.disable("ops", "left the team", "root");
    assertFalse(sessions.touch(ops.id()).isPresent(), "a disabled user's session");
    assertTrue(sessions.touch(other.id()).isPresent(), "another admin's session");
    disabled.enable("ops");
    assertFalse(sessions.touch(ops.id()).isPresent(), "signing in again is needed");
  }

  @Test
  void touch_afterIdleTime_ended() throws StateStoreException {
    ConsoleSession session = sessions.create("ops");
    clock.advance(Duration.ofMinutes(31));
    assertFalse(sessions.touch(session.id()).isPresent());
  }

  @Test
  void remove_endsAtOnce_andUnknownIdsFindNothing() throws StateStoreException {
    ConsoleSession session = sessions.create("ops");
    sessions.remove(session.id());
    assertFalse(sessions.touch(session.id()).isPresent());
    assertFalse(sessions.touch(null).isPresent());
    assertFalse(sessions.touch("guess").isPresent());
  }

  @Test
  void csrf_onlyTheSessionsOwnToken() throws StateStoreException {
    ConsoleSession one = sessions.create("ops");
    ConsoleSession two = sessions.create("ops");
    assertNotEquals(one.id(), two.id());
    assertTrue(ConsoleSessions.csrfMatches(one, one.csrfToken()));
    assertFalse(ConsoleSessions.csrfMatches(one, two.csrfToken()));
    assertFalse(ConsoleSessions.csrfMatches(one, null));
    assertFalse(ConsoleSessions.csrfMatches(one, ""));
  }
}
