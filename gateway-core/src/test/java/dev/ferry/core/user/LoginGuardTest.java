package dev.ferry.core.user;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.state.StateStore;
import dev.ferry.core.testing.MutableClock;
import dev.ferry.core.testing.TestStateStores;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoginGuardTest {

  private static final String ADDRESS = "203.0.113.7";
  private static final Duration WINDOW = Duration.ofMinutes(10);
  private static final Duration BAN = Duration.ofMinutes(15);

  private final MutableClock clock = new MutableClock(Instant.parse("2024-05-01T12:00:00Z"));

  @TempDir
  Path directory;
  private StateStore state;

  @AfterEach
  void closeStore() {
    if (state != null) {
      state.close();
    }
  }

  /** A guard counting in a real (embedded) state store. */
  private LoginGuard guard(int maxFailures) {
    try {
      if (state == null) {
        state = TestStateStores.embedded(directory);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new LoginGuard(new LoginGuard.Settings(Duration.ofSeconds(1), maxFailures, WINDOW, BAN), clock,
        state.database());
  }

  /** Fails {@code times} logins one second apart; returns whether the last one banned. */
  private boolean fail(LoginGuard guard, int times) {
    boolean banned = false;
    for (int i = 0; i < times; i++) {
      clock.advance(Duration.ofSeconds(1));
      banned = guard.failed(ADDRESS);
    }
    return banned;
  }

  @Test
  void failed_belowMaxFailures_notBanned() {
    LoginGuard guard = guard(3);

    assertFalse(fail(guard, 2));

    assertFalse(guard.isBanned(ADDRESS));
  }

  @Test
  void failed_maxFailuresWithinWindow_bans() {
    LoginGuard guard = guard(3);
    fail(guard, 2);

    boolean nowBanned = guard.failed(ADDRESS);

    assertTrue(nowBanned, "the failure that crosses the limit reports the ban");
    assertTrue(guard.isBanned(ADDRESS));
    assertFalse(guard.isBanned("198.51.100.1"), "other addresses are not affected");
  }

  @Test
  void failed_whileBanned_doesNotReportNewBan() {
    LoginGuard guard = guard(3);
    fail(guard, 3);

    assertFalse(guard.failed(ADDRESS), "the ban is reported once, not on every later failure");
    assertTrue(guard.isBanned(ADDRESS));
  }

  @Test
  void isBanned_afterBanDuration_expires() {
    LoginGuard guard = guard(3);
    fail(guard, 3);

    clock.advance(BAN.minusSeconds(1));
    assertTrue(guard.isBanned(ADDRESS), "still banned one second before the end");

    clock.advance(Duration.ofSeconds(1));
    assertFalse(guard.isBanned(ADDRESS));
  }

  @Test
  void failed_afterBanExpired_countsFromOne() {
    LoginGuard guard = guard(3);
    fail(guard, 3);
    clock.advance(BAN);

    assertFalse(fail(guard, 2));

    assertFalse(guard.isBanned(ADDRESS), "two fresh failures are below the limit of three");
    assertTrue(fail(guard, 1));
    assertTrue(guard.isBanned(ADDRESS));
  }

  @Test
  void succeeded_resetsFailureCount() {
    LoginGuard guard = guard(3);
    fail(guard, 2);

    guard.succeeded(ADDRESS);

    assertFalse(fail(guard, 2));
    assertFalse(guard.isBanned(ADDRESS));
  }

  @Test
  void failed_spreadBeyondWindow_countRestarts() {
    LoginGuard guard = guard(3);
    fail(guard, 2);
    clock.advance(WINDOW.plusMinutes(1));

    assertFalse(guard.failed(ADDRESS), "the old failures fell out of the window");
    assertFalse(guard.failed(ADDRESS));

    assertFalse(guard.isBanned(ADDRESS));
    assertTrue(guard.failed(ADDRESS), "third failure of the new window bans");
    assertTrue(guard.isBanned(ADDRESS));
  }

  @Test
  void failed_maxFailuresAtEdgeOfWindow_bans() {
    LoginGuard guard = guard(3);
    guard.failed(ADDRESS);
    clock.advance(WINDOW.dividedBy(2));
    guard.failed(ADDRESS);
    clock.advance(WINDOW.dividedBy(2));

    assertTrue(guard.failed(ADDRESS));
    assertTrue(guard.isBanned(ADDRESS));
  }

  @Test
  void failed_maxFailuresOne_bansOnFirstFailure() {
    // maxFailures: 1 is accepted by the config and means "one wrong password and you are out".
    LoginGuard guard = guard(1);

    boolean banned = guard.failed(ADDRESS);

    assertTrue(banned, "the first failure reached the limit of one");
    assertTrue(guard.isBanned(ADDRESS));
  }

  @Test
  void failureDelay_isConfiguredValue() {
    assertEquals(Duration.ofSeconds(1), guard(3).failureDelay());
  }
}
