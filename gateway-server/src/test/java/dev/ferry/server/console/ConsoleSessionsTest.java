package dev.ferry.server.console;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ConsoleSessionsTest {

  final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  final ConsoleSessions sessions = new ConsoleSessions(clock, Duration.ofMinutes(30), Duration.ofHours(12), "node-1");

  @Test
  void touch_withinIdleTime_keepsTheSessionAlive() {
    ConsoleSession session = sessions.create("ops");
    for (int i = 1; i <= 24; i++) { // a request every 29 minutes: never idle for 30
      clock.advance(Duration.ofMinutes(29));
      assertTrue(sessions.touch(session.id()).isPresent(), "after " + i * 29 + " minutes");
    }
    clock.advance(Duration.ofMinutes(29)); // 12h05m after sign-in
    assertFalse(sessions.touch(session.id()).isPresent(), "never past the absolute end (12h)");
  }

  @Test
  void touch_afterIdleTime_ended() {
    ConsoleSession session = sessions.create("ops");
    clock.advance(Duration.ofMinutes(31));
    assertFalse(sessions.touch(session.id()).isPresent());
  }

  @Test
  void remove_endsAtOnce_andUnknownIdsFindNothing() {
    ConsoleSession session = sessions.create("ops");
    sessions.remove(session.id());
    assertFalse(sessions.touch(session.id()).isPresent());
    assertFalse(sessions.touch(null).isPresent());
    assertFalse(sessions.touch("guess").isPresent());
  }

  @Test
  void csrf_onlyTheSessionsOwnToken() {
    ConsoleSession one = sessions.create("ops");
    ConsoleSession two = sessions.create("ops");
    assertNotEquals(one.id(), two.id());
    assertTrue(ConsoleSessions.csrfMatches(one, one.csrfToken()));
    assertFalse(ConsoleSessions.csrfMatches(one, two.csrfToken()));
    assertFalse(ConsoleSessions.csrfMatches(one, null));
    assertFalse(ConsoleSessions.csrfMatches(one, ""));
  }
}
