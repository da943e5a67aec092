package dev.ferry.core.user;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Slows down password guessing: every failed login is answered only after a delay, and an address
 * that fails too often within a window is banned for a while. Shared by both protocols.
 */
public final class LoginGuard {

  private static final Logger log = LoggerFactory.getLogger(LoginGuard.class);

  /** How the guard is tuned. */
  public record Settings(Duration failureDelay, int maxFailures, Duration window, Duration banDuration) {}

  private record Failures(int count, Instant firstAt, Instant bannedUntil) {}

  private final Settings settings;
  private final Clock clock;
  private final Map<String, Failures> byAddress = new ConcurrentHashMap<>();

  public LoginGuard(Settings settings, Clock clock) {
    this.settings = settings;
    this.clock = clock;
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
    Failures f = byAddress.get(address);
    return f != null && f.bannedUntil() != null && clock.instant().isBefore(f.bannedUntil());
  }

  public Duration failureDelay() {
    return settings.failureDelay();
  }

  /** Records a failure; returns true when this failure got the address banned. */
  public boolean failed(String address) {
    Instant now = clock.instant();
    Failures updated = byAddress.compute(address, (a, f) -> {
      if (f == null || now.isAfter(f.firstAt().plus(settings.window())) && f.bannedUntil() == null
          || f.bannedUntil() != null && !now.isBefore(f.bannedUntil())) {
        return new Failures(1, now, settings.maxFailures() <= 1 ? now.plus(settings.banDuration()) : null);
      }
      int count = f.count() + 1;
      Instant ban = count >= settings.maxFailures() ? now.plus(settings.banDuration()) : null;
      return new Failures(count, f.firstAt(), ban);
    });
    return updated.bannedUntil() != null && updated.count() == settings.maxFailures();
  }

  public void succeeded(String address) {
    byAddress.remove(address);
  }
}
