package dev.ferry.core.user;

import dev.ferry.core.session.ClientText;
import dev.ferry.core.state.Database;
import dev.ferry.core.state.StateStoreException;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Slows down password guessing: every failed login is answered only after a delay, and an address
 * that fails too often within a window is banned for a while. Shared by both protocols, and by
 * every node sharing the state store, where the failures are counted. If the store cannot be asked,
 * logins go on (checked, delayed on failure) and the gap is logged: bans are a second line, and a
 * store outage must not lock every user out.
 *
 * <p>The password checks of one address take turns on a node: the ban is looked up just before
 * each check, so a burst of parallel guesses gets no more checks than {@code maxFailures} (on each
 * node) instead of as many as arrive before the first failures are counted. A successful login
 * leaves the count as it is: guesses between two good logins still add up to a ban. User names are
 * logged through {@link ClientText}: a name with a line break cannot forge a log line.
 */
public final class LoginGuard {

  private static final Logger log = LoggerFactory.getLogger(LoginGuard.class);
  /** Addresses share these locks by hash: enough that unrelated addresses rarely wait for each other. */
  private static final int CHECK_TURNS = 256;

  /** How the guard is tuned. */
  public record Settings(Duration failureDelay, int maxFailures, Duration window, Duration banDuration) {}

  /** What one login attempt came to: the user, or a refusal, which says whether the address is banned. */
  public record Attempt(Optional<User> user, boolean banned) {
    static Attempt refused(boolean banned) {
      return new Attempt(Optional.empty(), banned);
    }
  }

  private final Settings settings;
  private final Clock clock;
  private final LoginFailures failures;
  private final DisabledUsers disabled;
  private final ReentrantLock[] checkTurns = new ReentrantLock[CHECK_TURNS];
  private final AtomicLong bansStarted = new AtomicLong();

  public LoginGuard(Settings settings, Clock clock, Database database) {
    this(settings, clock, database, new DisabledUsers(database, clock));
  }

  /** {@code disabled}: the users whose logins are refused even with the right password or key. */
  public LoginGuard(Settings settings, Clock clock, Database database, DisabledUsers disabled) {
    this.settings = settings;
    this.clock = clock;
    this.failures = new LoginFailures(database);
    this.disabled = disabled;
    for (int i = 0; i < checkTurns.length; i++) {
      checkTurns[i] = new ReentrantLock(true);
    }
  }

  /**
   * One password login over {@code protocol} (for the log) from {@code address}: refused without a
   * check while the address is banned, else checked against {@code users}, counted and logged
   * (never the password). The caller answers a refusal only after {@link #failureDelay()}.
   */
  public Attempt attempt(String protocol, UserRegistry users, String username, char[] password, String address) {
    String name = ClientText.forLog(username);
    ReentrantLock turn = checkTurns[Math.floorMod(address.hashCode(), checkTurns.length)];
    turn.lock();
    try {
      if (isBanned(address)) {
        log.warn("{} login as {} from banned address {} refused", protocol, name, address);
        return Attempt.refused(true);
      }
      Optional<User> user;
      try {
        user = users.authenticate(username, password, new LoginSource(protocol, address));
      } catch (IdentityUnavailableException e) {
        log.error("{} password login as {} from {} refused: {}; not counted as a failed login", protocol, name,
            address, e.getMessage());
        return Attempt.refused(false);
      }
      if (user.isPresent() && !admits(protocol, user.get(), "password", address)) {
        return Attempt.refused(false);
      }
      if (user.isEmpty()) {
        boolean banned = failed(address);
        log.warn("{} password login failed for user {} from {}{}", protocol, name, address,
            banned ? "; address banned for a while" : "");
        return Attempt.refused(banned);
      }
      log.info("{} login (password): {} from {}", protocol, name, address);
      return new Attempt(user, false);
    } finally {
      turn.unlock();
    }
  }

  /**
   * Whether {@code user}, whose credentials ({@code how}: "password", "key ...") were right, may log
   * in: not when an administrator has disabled them, when the user has expired, or when
   * {@code address} is outside the user's {@code allowFrom}. The refusal is logged naming why; the
   * client gets the same answer as for wrong credentials, and the address's failures are not
   * counted (the credentials were right, and a ban would also shut out others behind the same address).
   */
  public boolean admits(String protocol, User user, String how, String address) {
    Optional<DisabledUsers.Disabling> disabling = disabled.check(user.name());
    if (disabling.isPresent()) {
      log.warn("{} login ({}) of user {} from {} refused: the user is disabled ({}, by {})", protocol, how,
          ClientText.forLog(user.name()), address, ClientText.forLog(disabling.get().reason()), disabling.get().by());
      return false;
    }
    Optional<String> limited = user.limits().refusal(address, clock.instant());
    if (limited.isPresent()) {
      log.warn("{} login ({}) of user {} from {} refused: {}", protocol, how, ClientText.forLog(user.name()), address,
          limited.get());
      return false;
    }
    return true;
  }

  /**
   * What a refused login's AUTH_FAILURE event adds to the name tried, when more than wrong
   * credentials may be the reason: the user is disabled, expired, or not allowed from {@code address}.
   */
  public Optional<String> refusalNote(UserRegistry users, String name, String address) {
    if (disabled.lastRead(name).isPresent()) {
      return Optional.of("user disabled");
    }
    return users.find(name).flatMap(user -> user.limits().refusal(address, clock.instant()));
  }

  /** How many bans this node has started since it started (metrics). */
  public long bansStarted() {
    return bansStarted.get();
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

  /** How long a ban lasts, for the message a banned client gets. */
  public Duration banDuration() {
    return settings.banDuration();
  }

  /** Records a failure; returns true when this failure got the address banned. */
  public boolean failed(String address) {
    try {
      boolean banned = failures.record(address, clock.instant(), settings.maxFailures(), settings.window(),
          settings.banDuration());
      if (banned) {
        bansStarted.incrementAndGet();
      }
      return banned;
    } catch (StateStoreException e) {
      log.error("failed login from {} not counted: {}", address, e.getMessage());
      return false;
    }
  }
}
