package dev.ferry.core.user;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.s3.S3Location;
import dev.ferry.core.state.StateStore;
import dev.ferry.core.testing.MutableClock;
import dev.ferry.core.testing.TestStateStores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

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

  /** bcrypt at cost 12 takes a while: one user, hashed once for the class. */
  private static final String PASSWORD = "correct horse";
  private static final UserRegistry USERS = new UserRegistry(List.of(new User("alice",
      PasswordHasher.hash(PASSWORD.toCharArray()), new S3Location("ferry-data", "alice/"),
      EnumSet.allOf(Permission.class), List.of(), false)));

  private static LoginGuard.Attempt login(LoginGuard guard, String password) {
    return guard.attempt("TEST", USERS, "alice", password.toCharArray(), ADDRESS);
  }

  /** Before, each good login cleared the count: 3 rounds of 4 guesses and 1 good login gave 12 guesses, no ban. */
  @Test
  void goodLogin_betweenGuesses_doesNotClearTheCount() {
    LoginGuard guard = guard(5);
    for (int i = 0; i < 4; i++) {
      assertTrue(login(guard, "guess " + i).user().isEmpty());
    }
    assertTrue(login(guard, PASSWORD).user().isPresent(), "the right password still logs in");
    assertTrue(login(guard, "guess 4").banned(), "the fifth guess bans, a good login in between or not");
    LoginGuard.Attempt whileBanned = login(guard, PASSWORD);
    assertTrue(whileBanned.user().isEmpty() && whileBanned.banned(), "while banned, the right password is refused");
  }

  /** A disabled user is refused with the right password, as with a wrong one, but no failure is counted. */
  @Test
  void disabledUser_rightPassword_refusedUncounted_thenEnabledLogsIn() throws Exception {
    LoginGuard guard = guard(2);
    DisabledUsers disabled = new DisabledUsers(state.database(), clock);
    disabled.disable("alice", "left", "ops");
    LoginGuard withDisabled = new LoginGuard(new LoginGuard.Settings(Duration.ofSeconds(1), 2, WINDOW, BAN), clock,
        state.database(), disabled);

    for (int i = 0; i < 3; i++) {
      LoginGuard.Attempt refused = login(withDisabled, PASSWORD);
      assertTrue(refused.user().isEmpty() && !refused.banned(), "refused, and not banned: " + refused);
    }
    assertFalse(guard.isBanned(ADDRESS), "right passwords of a disabled user are no guesses");

    disabled.enable("alice");
    assertTrue(login(withDisabled, PASSWORD).user().isPresent());
  }

  /**
   * Right credentials from outside the user's allowFrom, or after the user expired, are refused as
   * a wrong password is, and are not counted: they are no guesses.
   */
  @Test
  void rightPassword_fromOutsideAllowFromOrAfterExpiry_refusedUncounted() {
    LoginGuard guard = guard(2);
    User limited = new User("bob", USERS.find("alice").orElseThrow().passwordHash(), new S3Location("ferry-data", "bob/"),
        EnumSet.allOf(Permission.class), List.of(), false,
        new UserPolicy(LoginLimits.parse(List.of("198.51.100.0/24"), "2024-05-01T13:00:00Z", "allowFrom", "expires"),
            null, null, null));
    UserRegistry users = new UserRegistry(List.of(limited));

    for (int i = 0; i < 3; i++) {
      LoginGuard.Attempt refused = guard.attempt("TEST", users, "bob", PASSWORD.toCharArray(), ADDRESS);
      assertTrue(refused.user().isEmpty() && !refused.banned(), "refused, and not banned: " + refused);
    }
    assertFalse(guard.isBanned(ADDRESS));
    assertEquals("address " + ADDRESS + " is not in the user's allowFrom",
        guard.refusalNote(users, "bob", ADDRESS).orElseThrow());
    assertTrue(guard.attempt("TEST", users, "bob", PASSWORD.toCharArray(), "198.51.100.4").user().isPresent());

    clock.advance(Duration.ofHours(1));
    assertTrue(guard.attempt("TEST", users, "bob", PASSWORD.toCharArray(), "198.51.100.4").user().isEmpty());
    assertEquals("the user expired at 2024-05-01T13:00:00Z", guard.refusalNote(users, "bob", "198.51.100.4")
        .orElseThrow());
  }

  /**
   * Before, the ban was looked up before the slow bcrypt check and counted after it, so parallel
   * guesses all passed the lookup: 150 parallel FTPS logins had 36 passwords checked (limit 5).
   */
  @Test
  void parallelGuesses_getNoMoreChecksThanTheLimit() throws Exception {
    LoginGuard guard = guard(5);
    ExecutorService guessers = Executors.newFixedThreadPool(40);
    List<Future<LoginGuard.Attempt>> attempts = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      String guess = "parallel guess " + i;
      attempts.add(guessers.submit(() -> login(guard, guess)));
    }
    // Refusals that do not say "banned" are the guesses checked before the one that banned.
    int checkedBeforeTheBan = 0;
    for (Future<LoginGuard.Attempt> attempt : attempts) {
      LoginGuard.Attempt result = attempt.get();
      assertTrue(result.user().isEmpty());
      checkedBeforeTheBan += result.banned() ? 0 : 1;
    }
    guessers.shutdown();
    assertEquals(4, checkedBeforeTheBan, "guesses checked before the fifth banned the address");
    assertTrue(guard.isBanned(ADDRESS));
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
