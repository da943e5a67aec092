package dev.ferry.core.session;

import dev.ferry.core.event.EventBus;
import dev.ferry.core.event.SessionEvent;
import dev.ferry.core.event.SessionInfo;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The connections of every front-end, counted against {@link SessionLimits}: a connection takes a
 * {@link Slot} when it is accepted, moves it to its user when the login succeeds, and gives it back
 * when it closes. One instance per node. The logged-in limits ({@code perUser}, {@code perAddress})
 * count the other live nodes' sessions too when nodes share a store ({@link OtherNodes}, as they
 * last published them: two logins on two nodes in the same second may both pass); the
 * unauthenticated budget is the node's own, as it guards the node's own sockets.
 *
 * <p>When the unauthenticated budget is full, a new connection closes one still waiting for its
 * login instead of being refused: the oldest of the address that has the most connections waiting,
 * and one from an address with a user logged in on this node only when no other waits. Connections
 * from many addresses that never log in then cannot keep users out, however fast they come back:
 * the users' addresses have sessions, and few connections waiting at a time. Closing the oldest of
 * all instead would close users' own logins under such a flood, and not sparing their addresses
 * would close their next connections (bench/README.md, "Soak under attack"). A connection that has
 * sent its credentials no longer waits ({@link Slot#credentialsSent}). One address that opens too
 * many is refused instead ({@code unauthenticatedPerAddress}), as it only hurts itself.
 */
public final class SessionSlots {

  /**
   * Base 36 milliseconds of this JVM's start and two random digits: session ids of two runs of a
   * node do not repeat, nor those of two nodes started together (the store lists every node's
   * sessions, and a disconnect across nodes finds its session by id).
   */
  private static final String NODE_START = Long.toString(System.currentTimeMillis(), 36)
      + Integer.toString(36 * 36 + new java.security.SecureRandom().nextInt(36 * 36), 36).substring(1);

  private final SessionLimits limits;
  /** This node's name, in every session id: merged activity logs of several nodes never mix two sessions. */
  private final String node;
  private volatile OtherNodes otherNodes = OtherNodes.NONE;
  /** Guarded by this; each front-end sets its own as it starts ({@link #limit}). */
  private final Map<String, ProtocolMaximum> protocolMaxima = new HashMap<>();
  private final Deadlines deadlines;
  private final EventBus events;
  private final BiFunction<String, String, Optional<String>> refusalNote;
  /** Per JVM, not per instance: an application that stops and starts Ferry again must not reuse ids (the activity log). */
  private static final AtomicLong sessionNumbers = new AtomicLong();
  // All guarded by this: a check and its count must be one step, or a burst gets past the limit.
  private final LinkedHashSet<Slot> waitingForLogin = new LinkedHashSet<>();
  private final Map<String, Integer> unauthenticatedByAddress = new HashMap<>();
  private final Map<String, Integer> byAddress = new HashMap<>();
  private final Map<String, Integer> byUser = new HashMap<>();
  private final Map<String, Integer> byProtocol = new HashMap<>();
  private final Map<String, Slot> loggedInById = new LinkedHashMap<>();

  /** The logged-in sessions of the other live nodes sharing the store, as counts. */
  public interface OtherNodes {
    OtherNodes NONE = new OtherNodes() {
      @Override
      public int sessionsOf(String user) {
        return 0;
      }

      @Override
      public int sessionsFrom(String address) {
        return 0;
      }
    };

    int sessionsOf(String user);

    int sessionsFrom(String address);
  }

  /** A protocol's own maximum of logged-in sessions, and the config key that sets it. */
  public record ProtocolMaximum(int sessions, String configKey) {}

  /** Each connection's life (connected, login, refused credentials, exit) is published to {@code events}. */
  public SessionSlots(SessionLimits limits, Deadlines deadlines, EventBus events) {
    this(limits, deadlines, events, (name, address) -> Optional.empty(), "node");
  }

  /**
   * {@code refusalNote}: what to add to a refused login's AUTH_FAILURE event about the user name
   * tried from the client's address (e.g. that the user is disabled), so that the front-ends need
   * not know; {@code node}: this node's name ({@code store.nodeName}).
   */
  public SessionSlots(SessionLimits limits, Deadlines deadlines, EventBus events,
      BiFunction<String, String, Optional<String>> refusalNote, String node) {
    this.refusalNote = refusalNote;
    this.node = node;
    this.limits = limits;
    this.deadlines = deadlines;
    this.events = events;
  }

  /**
   * {@code protocol}'s own maximum of logged-in sessions (its name as the front-end opens its slots).
   * Set by the front-end, which owns the setting; a protocol without one is held to the other limits only.
   */
  public synchronized void limit(String protocol, ProtocolMaximum maximum) {
    protocolMaxima.put(protocol, maximum);
  }

  public SessionLimits limits() {
    return limits;
  }

  /** From now on the logged-in limits count {@code others}' sessions too. */
  public void countOtherNodes(OtherNodes others) {
    this.otherNodes = others;
  }

  /**
   * A slot for a connection just accepted from {@code address}. {@code close} is how the front-end
   * closes the connection with a reason for the client; it is called when the connection has not
   * logged in within the login deadline, or is the oldest waiting one when the budget is full.
   */
  public Slot open(String protocol, String address, Consumer<String> close) throws SessionRefusedException {
    Slot slot = new Slot(protocol, address, close);
    Slot oldest = null;
    synchronized (this) {
      if (unauthenticatedByAddress.getOrDefault(address, 0) >= limits.unauthenticatedPerAddress()) {
        throw new SessionRefusedException("Too many connections from " + address + " that have not logged in ("
            + limits.unauthenticatedPerAddress() + ")", "sessions.unauthenticatedPerAddress");
      }
      if (waitingForLogin.size() >= limits.unauthenticated()) {
        oldest = connectionToCloseForRoom();
        oldest.closed = true;
        waitingForLogin.remove(oldest);
        decrement(unauthenticatedByAddress, oldest.address);
      }
      waitForLogin(slot);
    }
    if (oldest != null) {
      if (oldest.deadline != null) {
        oldest.deadline.cancel(false);
      }
      oldest.close.accept("too many connections are waiting to log in (" + limits.unauthenticated()
          + ", sessions.unauthenticated); the oldest are closed");
    }
    slot.startLoginDeadline();
    events.session(SessionEvent.Type.CONNECTED, slot.info(), null);
    return slot;
  }

  // Guarded by this. At most `unauthenticated` connections wait: one pass over them is cheap.
  private Slot connectionToCloseForRoom() {
    Slot victim = null;
    boolean victimHasSessions = true;
    int victimWaiting = 0;
    for (Slot slot : waitingForLogin) { // oldest first: a tie keeps the older
      boolean hasSessions = byAddress.containsKey(slot.address);
      int waiting = unauthenticatedByAddress.get(slot.address);
      if (victim == null || (victimHasSessions && !hasSessions)
          || (victimHasSessions == hasSessions && waiting > victimWaiting)) {
        victim = slot;
        victimHasSessions = hasSessions;
        victimWaiting = waiting;
      }
    }
    return victim;
  }

  /** Logged-in sessions of {@code user} on this node (for tests and the console). */
  public synchronized int sessionsOf(String user) {
    return byUser.getOrDefault(user, 0);
  }

  /** The logged-in sessions on this node, oldest login first (for the admin commands). */
  public synchronized List<SessionInfo> loggedIn() {
    return loggedInById.values().stream().map(Slot::info).toList();
  }

  /**
   * The logged-in sessions whose login the client was told of ({@link Slot#loginSucceeded}). A
   * session is counted from before its credentials are checked (FTPS takes the slot before the
   * password, so that a full limit is refused before a 230), and a refused FTPS password keeps it
   * for FtpServer's second of delay before the 530: closing such a session for its user would
   * answer 421 instead, telling a disabled user's client what a wrong password does not.
   */
  public synchronized List<SessionInfo> loginsAnnounced() {
    return loggedInById.values().stream().filter(slot -> slot.loginAnnounced).map(Slot::info).toList();
  }

  /**
   * Closes the logged-in session {@code id} on this node the way its front-end closes one at the
   * login deadline, telling the client {@code reason}; false when no such session is logged in here.
   * An upload it has open is aborted, as for any connection that ends.
   */
  public boolean disconnect(String id, String reason) {
    Slot slot;
    synchronized (this) {
      slot = loggedInById.get(id);
    }
    if (slot == null) {
      return false;
    }
    slot.close.accept(reason);
    return true;
  }

  /** Connections on this node that have not logged in yet. */
  public synchronized int unauthenticated() {
    return waitingForLogin.size();
  }

  private synchronized void logIn(Slot slot, String user) throws SessionRefusedException {
    ProtocolMaximum maximum = protocolMaxima.get(slot.protocol);
    if (maximum != null && byProtocol.getOrDefault(slot.protocol, 0) >= maximum.sessions()) {
      throw new SessionRefusedException("Too many " + slot.protocol + " sessions (" + maximum.sessions()
          + "), try again later", maximum.configKey());
    }
    OtherNodes others = otherNodes;
    if (byUser.getOrDefault(user, 0) + others.sessionsOf(user) >= limits.perUser()) {
      throw new SessionRefusedException("Too many sessions of user " + user + " (" + limits.perUser()
          + (others == OtherNodes.NONE ? "" : " on all nodes") + "), close one and try again", "sessions.perUser");
    }
    if (byAddress.getOrDefault(slot.address, 0) + others.sessionsFrom(slot.address) >= limits.perAddress()) {
      throw new SessionRefusedException("Too many sessions from " + slot.address + " (" + limits.perAddress()
          + (others == OtherNodes.NONE ? "" : " on all nodes") + "), close one and try again", "sessions.perAddress");
    }
    leaveUnauthenticated(slot);
    loggedInById.put(slot.id, slot);
    byUser.merge(user, 1, Integer::sum);
    byAddress.merge(slot.address, 1, Integer::sum);
    byProtocol.merge(slot.protocol, 1, Integer::sum);
  }

  private synchronized void logOut(Slot slot, String user) {
    loggedInById.remove(slot.id);
    decrement(byUser, user);
    decrement(byAddress, slot.address);
    decrement(byProtocol, slot.protocol);
    // Back among the connections waiting for a login even when that budget is full: the connection
    // is already here, and refusing it now would only close it.
    waitForLogin(slot);
  }

  private synchronized void waitForLogin(Slot slot) {
    if (waitingForLogin.add(slot)) {
      unauthenticatedByAddress.merge(slot.address, 1, Integer::sum);
    }
  }

  private synchronized void leaveUnauthenticated(Slot slot) {
    if (waitingForLogin.remove(slot)) {
      decrement(unauthenticatedByAddress, slot.address);
    }
  }

  private static void decrement(Map<String, Integer> counts, String key) {
    counts.computeIfPresent(key, (k, count) -> count <= 1 ? null : count - 1);
  }

  /** One connection's place in the counts. Closing it twice is harmless. */
  public final class Slot implements AutoCloseable {

    private final String id;
    private final String protocol;
    private final String address;
    private final Consumer<String> close;
    private final long openedNanos = System.nanoTime();
    private volatile Future<?> deadline;
    // Guarded by SessionSlots.this.
    private String user;
    private boolean closed;
    private boolean loginAnnounced;

    private Slot(String protocol, String address, Consumer<String> close) {
      // The protocol, the node, its start and a sequence: unique across nodes and runs, short enough
      // for a log line. Protocols with a space ("admin HTTP") are joined with '-'.
      this.id = protocol.toLowerCase(Locale.ROOT).replace(' ', '-') + "-" + node + "-" + NODE_START + "-"
          + sessionNumbers.incrementAndGet();
      this.protocol = protocol;
      this.address = address;
      this.close = close;
    }

    /** This connection as events name it, with its user once logged in. */
    public SessionInfo info() {
      synchronized (SessionSlots.this) {
        return new SessionInfo(id, protocol, address, user);
      }
    }

    /**
     * The login the front-end told the client about (FTPS: after the password check; SFTP: when the
     * authentication succeeded): published once as a LOGIN event. {@link #loggedIn} comes first.
     */
    public void loginSucceeded() {
      SessionInfo info;
      synchronized (SessionSlots.this) {
        if (closed || user == null || loginAnnounced) {
          return;
        }
        loginAnnounced = true;
        info = new SessionInfo(id, protocol, address, user);
      }
      events.session(SessionEvent.Type.LOGIN, info, null);
    }

    /**
     * Credentials for {@code username} were refused: an AUTH_FAILURE event naming the user name
     * tried, and why when core knows more than a wrong password ("alice (user disabled)").
     */
    public void loginFailed(String username) {
      String note = username == null ? null : refusalNote.apply(username, address).orElse(null);
      events.session(SessionEvent.Type.AUTH_FAILURE, info(), note == null ? username : username + " (" + note + ")");
    }

    /**
     * The connection logged in as {@code user}: it leaves the unauthenticated budget and counts
     * against the user's, the address's and the protocol's. Refused when one is full; the slot then
     * stays as it was.
     */
    public void loggedIn(String user) throws SessionRefusedException {
      synchronized (SessionSlots.this) {
        if (closed || this.user != null) {
          return;
        }
        logIn(this, user);
        this.user = user;
      }
      deadline.cancel(false);
    }

    /**
     * The connection has sent its credentials and waits for them to be checked (a password check
     * takes its turn behind the address's others, see LoginGuard): it no longer counts as waiting
     * for a login, and is never the oldest one closed to make room. A client that opens many
     * connections at once then is not refused while its own logins queue, and a crowd of connections
     * that never send credentials cannot close one that did. The login deadline still applies.
     */
    public void credentialsSent() {
      synchronized (SessionSlots.this) {
        if (!closed && user == null) {
          leaveUnauthenticated(this);
        }
      }
    }

    /** The credentials were refused; the connection, still open, waits for a login again. */
    public void credentialsRefused() {
      synchronized (SessionSlots.this) {
        if (!closed && user == null) {
          waitForLogin(this);
        }
      }
    }

    /**
     * The login did not hold (a login reserved before the password check failed, or REIN): the
     * connection counts as waiting for a login again, and has the login deadline again (the login
     * had ended the first one: without a new one, a failed password or a REIN left the connection
     * waiting until the protocol's idle timeout).
     */
    public void loggedOut() {
      synchronized (SessionSlots.this) {
        if (closed || user == null) {
          return;
        }
        logOut(this, user);
        user = null;
        loginAnnounced = false;
      }
      deadline.cancel(false);
      startLoginDeadline();
    }

    private void startLoginDeadline() {
      long seconds = limits.loginDeadline().toSeconds();
      deadline = deadlines.after(limits.loginDeadline(), () -> {
        if (waitingForLogin()) {
          close.accept("no login within " + seconds + " s (sessions.loginDeadline)");
        }
      });
    }

    @Override
    public void close() {
      SessionInfo info;
      synchronized (SessionSlots.this) {
        if (closed) {
          return;
        }
        closed = true;
        if (user != null) {
          logOut(this, user);
        }
        leaveUnauthenticated(this);
        info = new SessionInfo(id, protocol, address, user);
      }
      deadline.cancel(false);
      events.session(SessionEvent.Type.EXIT, info,
          Duration.ofNanos(System.nanoTime() - openedNanos).toMillis() + " ms");
    }

    private boolean waitingForLogin() {
      synchronized (SessionSlots.this) {
        return !closed && user == null;
      }
    }
  }
}
