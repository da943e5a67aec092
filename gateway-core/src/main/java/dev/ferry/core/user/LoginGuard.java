package dev.ferry.core.user;

import dev.ferry.core.state.Database;
import dev.ferry.core.state.StateStoreException;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Slows down password guessing: every failed login is answered only after a delay, and an address
 * that fails too often within a window is banned for a while. Shared by both protocols, and by
 * every node sharing the state store, where the failures are counted. If the store cannot be asked,
 * logins go on (checked, delayed on failure) and the gap is logged: bans are a second line, and a
 * store outage must not lock every user out.
 */
public final class LoginGuard {

  private static final Logger log = LoggerFactory.getLogger(LoginGuard.class);

  /** How the guard is tuned. */
  public record Settings(Duration failureDelay, int maxFailures, Duration window, Duration banDuration) {}

  private final Settings settings;
  private final Clock clock;
  private final LoginFailures failures;

  public LoginGuard(Settings settings, Clock clock, Database database) {
    this.settings = settings;
    this.clock = clock;
    this.failures = new LoginFailures(database);
  }

  /**
   * One password login over {@code protocol} (for the log) from {@code address}: refused without a
   * check while the address is banned, else checked against {@code users}, counted and logged
   * (never the password). Empty when refused; the caller answers a refusal only after
   * {@link #failureDelay()}.
   */
  public Optional<User> attempt(String protocol, UserRegistry users, String username, char[] password,
      String address) {
    if (isBanned(address)) {
      log.warn("{} login as {} from banned address {} refused", protocol, username, address);
      return Optional.empty();
    }
    Optional<User> user = users.authenticate(username, password);
    if (user.isEmpty()) {
      boolean banned = failed(address);
      log.warn("{} password login failed for user {} from {}{}", protocol, username, address,
          banned ? "; address banned for a while" : "");
      return Optional.empty();
    }
    succeeded(address);
    log.info("{} login (password): {} from {}", protocol, username, address);
    return user;
  }

  public boolean isBanned(String address) {
    try {
      return failures.banned(address, clock.instant());
    } catch (StateStoreException e) {
      log.error("bans of {} unknown, login checked without: {}", address, e.getMessage());
      return false;
    }
  }

  public Duration failureDelay() {
    return settings.failureDelay();
  }

  /** Records a failure; returns true when this failure got the address banned. */
  public boolean failed(String address) {
    try {
      return failures.record(address, clock.instant(), settings.maxFailures(), settings.window(),
          settings.banDuration());
    } catch (StateStoreException e) {
      log.error("failed login from {} not counted: {}", address, e.getMessage());
      return false;
    }
  }

  public void succeeded(String address) {
    try {
      failures.clear(address);
    } catch (StateStoreException e) {
      log.warn("failed logins of {} not cleared: {}", address, e.getMessage());
    }
  }
}
