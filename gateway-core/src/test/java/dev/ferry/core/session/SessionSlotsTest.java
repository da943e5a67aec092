package dev.ferry.core.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.event.EventBus;
import dev.ferry.core.testing.Await;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The counts behind every front-end's session limits, at the defaults of ferry.yaml's sessions section. */
class SessionSlotsTest {

  /** OpenSSH's MaxStartups full (100) and a small share per address, so tests fill it with few connections. */
  private static final SessionLimits LIMITS = new SessionLimits(100, 10, Duration.ofMinutes(1), 32, 64);

  private final Deadlines deadlines = new Deadlines();
  private final List<String> closedBecause = new CopyOnWriteArrayList<>();

  @AfterEach
  void stop() {
    deadlines.close();
  }

  private SessionSlots slots(SessionLimits limits) {
    SessionSlots slots = new SessionSlots(limits, deadlines, new EventBus(Clock.systemUTC()));
    slots.limit("FTPS", new SessionSlots.ProtocolMaximum(200, "ftps.maxLogins"));
    return slots;
  }

  private SessionSlots.Slot open(SessionSlots slots, String address) throws SessionRefusedException {
    return slots.open("FTPS", address, closedBecause::add);
  }

  @Test
  void oneAddress_getsItsShareOfConnectionsWaitingForLogin_andNoMore() throws Exception {
    SessionSlots slots = slots(LIMITS);
    for (int i = 0; i < 10; i++) {
      open(slots, "10.0.0.1");
    }
    SessionRefusedException refused = assertThrows(SessionRefusedException.class, () -> open(slots, "10.0.0.1"));
    assertEquals("Too many connections from 10.0.0.1 that have not logged in (10)", refused.clientMessage());
    assertTrue(refused.getMessage().contains("sessions.unauthenticatedPerAddress"), refused.getMessage());
    open(slots, "10.0.0.2");
    assertEquals(11, slots.unauthenticated());
  }

  @Test
  void protocolAtTheMaximumItsFrontEndSet_nextLoginRefusedNamingItsKey_otherProtocolsNot() throws Exception {
    SessionSlots slots = new SessionSlots(LIMITS, deadlines, new EventBus(Clock.systemUTC()));
    slots.limit("FTPS", new SessionSlots.ProtocolMaximum(2, "ftps.maxLogins"));
    open(slots, "10.0.0.1").loggedIn("alice");
    open(slots, "10.0.0.2").loggedIn("bob");
    SessionSlots.Slot third = open(slots, "10.0.0.3");
    SessionRefusedException refused = assertThrows(SessionRefusedException.class, () -> third.loggedIn("carol"));
    assertEquals("Too many FTPS sessions (2), try again later", refused.clientMessage());
    assertTrue(refused.getMessage().contains("ftps.maxLogins"), refused.getMessage());
    slots.open("SFTP", "10.0.0.4", closedBecause::add).loggedIn("dave");
  }

  @Test
  void budgetFull_newConnectionClosesTheOldestWaiting_notTheNewcomer() throws Exception {
    SessionSlots slots = slots(LIMITS);
    List<SessionSlots.Slot> opened = new ArrayList<>();
    for (int address = 0; address < 10; address++) {
      for (int i = 0; i < 10; i++) {
        opened.add(open(slots, "10.0.1." + address));
      }
    }
    assertTrue(closedBecause.isEmpty());
    SessionSlots.Slot user = open(slots, "192.0.2.7");
    assertEquals(1, closedBecause.size());
    assertTrue(closedBecause.get(0).contains("sessions.unauthenticated"), closedBecause.get(0));
    assertEquals(100, slots.unauthenticated());
    user.loggedIn("alice");
    assertEquals(1, slots.sessionsOf("alice"));
    assertEquals(99, slots.unauthenticated());
    // The evicted one's own close later changes nothing.
    opened.get(0).close();
    assertEquals(99, slots.unauthenticated());
    // Its address has room again for the one it lost.
    open(slots, "10.0.1.0");
  }

  @Test
  void budgetFull_theAddressWithTheMostWaiting_losesItsOldest_notAUserWithOne() throws Exception {
    SessionSlots slots = slots(LIMITS);
    SessionSlots.Slot user = open(slots, "192.0.2.7");
    for (int address = 0; address < 10; address++) {
      for (int i = 0; i < 9; i++) {
        open(slots, "10.0.4." + address);
      }
    }
    SessionSlots.Slot another = open(slots, "192.0.2.8");
    for (int i = 0; i < 300; i++) {
      open(slots, "10.0.5." + (i % 20));
    }
    assertEquals(92 + 300 - 100, closedBecause.size());
    user.loggedIn("alice");
    another.loggedIn("bob");
    assertEquals(1, slots.sessionsOf("alice"), "the oldest of all, yet its address had the fewest waiting");
    assertEquals(1, slots.sessionsOf("bob"));
  }

  @Test
  void budgetFull_anAddressWithAUserLoggedIn_keepsItsWaitingConnections_evenTheMost() throws Exception {
    SessionSlots slots = slots(LIMITS);
    open(slots, "192.0.2.9").loggedIn("carol");
    List<SessionSlots.Slot> carolsOthers = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      carolsOthers.add(open(slots, "192.0.2.9"));
    }
    for (int i = 0; i < 300; i++) {
      open(slots, "10.0.6." + (i % 30));
    }
    assertEquals(10 + 300 - 100, closedBecause.size());
    for (SessionSlots.Slot slot : carolsOthers) {
      slot.loggedIn("carol");
    }
    assertEquals(11, slots.sessionsOf("carol"), "none of the waiting connections of carol's address was closed");
  }

  @Test
  void connectionsWhoseCredentialsAreBeingChecked_areNeitherCountedAsWaitingNorClosedForRoom() throws Exception {
    SessionSlots slots = slots(LIMITS);
    List<SessionSlots.Slot> checking = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      SessionSlots.Slot slot = open(slots, "10.0.2.1");
      slot.credentialsSent();
      checking.add(slot);
    }
    assertEquals(0, slots.unauthenticated());
    for (int address = 0; address < 11; address++) {
      for (int i = 0; i < 10; i++) {
        open(slots, "10.0.3." + address);
      }
    }
    assertEquals(10, closedBecause.size(), "the 10 oldest silent connections closed for room, none of the 40 checked");
    checking.get(0).credentialsRefused();
    assertEquals(101, slots.unauthenticated(), "a refused one waits for a login again");
    checking.get(1).loggedIn("alice");
    assertEquals(1, slots.sessionsOf("alice"));
    assertEquals(101, slots.unauthenticated());
  }

  @Test
  void oneUser_getsPerUserSessions_andOneAddressPerAddress() throws Exception {
    SessionSlots slots = slots(LIMITS);
    for (int i = 0; i < 32; i++) {
      open(slots, "10.0.0." + (i % 4)).loggedIn("alice");
    }
    SessionSlots.Slot extra = open(slots, "10.0.0.9");
    SessionRefusedException refused = assertThrows(SessionRefusedException.class, () -> extra.loggedIn("alice"));
    assertEquals("Too many sessions of user alice (32), close one and try again", refused.clientMessage());
    extra.loggedIn("bob");

    SessionSlots many = slots(LIMITS);
    for (int i = 0; i < 64; i++) {
      many.open("FTPS", "10.0.0.5", closedBecause::add).loggedIn("user" + (i % 3));
    }
    SessionSlots.Slot sixtyFifth = open(many, "10.0.0.5");
    refused = assertThrows(SessionRefusedException.class, () -> sixtyFifth.loggedIn("carol"));
    assertEquals("Too many sessions from 10.0.0.5 (64), close one and try again", refused.clientMessage());
    assertEquals(1, many.unauthenticated(), "a refused login stays a connection waiting for one");
  }

  @Test
  void closedAndFailedLogins_giveTheirPlaceBack() throws Exception {
    SessionSlots slots = slots(new SessionLimits(100, 10, Duration.ofMinutes(1), 1, 64));
    SessionSlots.Slot first = open(slots, "10.0.0.1");
    first.loggedIn("alice");
    first.loggedOut();
    assertEquals(0, slots.sessionsOf("alice"));
    assertEquals(1, slots.unauthenticated());
    SessionSlots.Slot second = open(slots, "10.0.0.1");
    second.loggedIn("alice");
    second.close();
    second.close();
    first.loggedIn("alice");
    first.close();
    assertEquals(0, slots.sessionsOf("alice"));
    assertEquals(0, slots.unauthenticated());
  }

  @Test
  void connectionNotLoggedInByTheDeadline_isClosed_oneThatLoggedInIsNot() throws Exception {
    SessionSlots slots = slots(new SessionLimits(100, 10, Duration.ofSeconds(1), 32, 64));
    open(slots, "10.0.0.2").loggedIn("alice");
    open(slots, "10.0.0.1");
    // One timer thread runs the deadlines in order: the logged-in connection's came first.
    Await.until(() -> closedBecause.size() == 1, Duration.ofSeconds(5), "the silent connection to be closed");
    assertEquals(List.of("no login within 1 s (sessions.loginDeadline)"), closedBecause);
    assertEquals(1, slots.unauthenticated(), "the closed one is counted until its connection has closed");
    assertEquals(1, slots.sessionsOf("alice"));
  }

  @Test
  void failedPasswordOrRein_startsTheLoginDeadlineAgain() throws Exception {
    SessionSlots slots = slots(new SessionLimits(100, 10, Duration.ofSeconds(1), 32, 64));
    SessionSlots.Slot slot = open(slots, "10.0.0.3");
    slot.loggedIn("alice");
    open(slots, "10.0.0.4");
    // One timer thread runs the deadlines in order: when the later connection's has closed it, the
    // first deadline of the logged-in one has passed too.
    Await.until(() -> closedBecause.size() == 1, Duration.ofSeconds(5), "the silent connection to be closed");
    slot.loggedOut();
    Await.until(() -> closedBecause.size() == 2, Duration.ofSeconds(5), "the logged-out connection to be closed");
    assertEquals(List.of("no login within 1 s (sessions.loginDeadline)", "no login within 1 s (sessions.loginDeadline)"),
        closedBecause);
  }

  @Test
  void loggedIn_listsLoggedInSessionsOnly_andDisconnectClosesOneByItsId() throws Exception {
    SessionSlots slots = slots(LIMITS);
    open(slots, "10.0.3.1"); // waiting for its login: not a session yet
    SessionSlots.Slot alice = open(slots, "10.0.3.2");
    alice.loggedIn("alice");
    SessionSlots.Slot bob = open(slots, "10.0.3.3");
    bob.loggedIn("bob");
    assertEquals(List.of("alice", "bob"), slots.loggedIn().stream().map(s -> s.user()).toList());

    String id = slots.loggedIn().get(1).id();
    assertTrue(slots.disconnect(id, "disconnected by administrator ops"));
    assertEquals(List.of("disconnected by administrator ops"), closedBecause);
    bob.close(); // what the front-end does once the connection has closed
    assertEquals(List.of("alice"), slots.loggedIn().stream().map(s -> s.user()).toList());
    assertFalse(slots.disconnect(id, "again"), "gone");
    alice.loggedOut();
    assertTrue(slots.loggedIn().isEmpty(), "logged out: no longer a session");
  }

  @Test
  void loginsAnnounced_leaveOutALoginStillBeingChecked() throws Exception {
    SessionSlots slots = slots(LIMITS);
    SessionSlots.Slot alice = open(slots, "10.0.4.1");
    alice.loggedIn("alice");
    alice.loginSucceeded();
    SessionSlots.Slot carol = open(slots, "10.0.4.2");
    carol.loggedIn("carol"); // FTPS: the slot taken, the password not checked yet

    assertEquals(List.of("alice", "carol"), slots.loggedIn().stream().map(s -> s.user()).toList());
    assertEquals(List.of("alice"), slots.loginsAnnounced().stream().map(s -> s.user()).toList());
    carol.loggedOut(); // the password was refused
    assertEquals(List.of("alice"), slots.loginsAnnounced().stream().map(s -> s.user()).toList());
  }
}
