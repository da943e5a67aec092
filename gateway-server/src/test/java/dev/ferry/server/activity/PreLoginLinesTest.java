package dev.ferry.server.activity;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ferry.core.event.FerryEvent;
import dev.ferry.core.event.SessionEvent;
import dev.ferry.core.event.SessionInfo;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class PreLoginLinesTest {

  private final PreLoginLines preLogin = new PreLoginLines();
  private final List<String> written = new ArrayList<>();

  private void send(SessionEvent.Type type, String id, String address) {
    SessionEvent event = new SessionEvent(UUID.randomUUID().toString(), Instant.parse("2026-11-25T10:00:00Z"), type,
        new SessionInfo(id, "FTPS", address, null), null);
    preLogin.accept(event, (FerryEvent e) -> written.add(((SessionEvent) e).type() + " " + id));
  }

  @Test
  void connectionsThatNeverTryToLogIn_writeNoLine_butOneSummaryPerAddress() {
    for (int i = 0; i < 50; i++) {
      send(SessionEvent.Type.CONNECTED, "s" + i, "192.0.2.9");
      send(SessionEvent.Type.EXIT, "s" + i, "192.0.2.9");
    }
    send(SessionEvent.Type.CONNECTED, "t", "192.0.2.10");
    send(SessionEvent.Type.EXIT, "t", "192.0.2.10");
    assertEquals(List.of(), written);
    List<PreLoginLines.Summary> summaries = preLogin.takeSummaries();
    assertEquals(2, summaries.size());
    assertEquals(50, summaries.get(0).connections());
    assertEquals("192.0.2.9", summaries.get(0).address());
    assertEquals(List.of(), preLogin.takeSummaries(), "each period starts from zero");
  }

  @Test
  void aConnectionThatTriesCredentials_isWrittenInFull_inOrder() {
    send(SessionEvent.Type.CONNECTED, "a", "192.0.2.9");
    send(SessionEvent.Type.AUTH_FAILURE, "a", "192.0.2.9");
    send(SessionEvent.Type.EXIT, "a", "192.0.2.9");
    send(SessionEvent.Type.CONNECTED, "b", "192.0.2.9");
    send(SessionEvent.Type.LOGIN, "b", "192.0.2.9");
    send(SessionEvent.Type.EXIT, "b", "192.0.2.9");
    assertEquals(List.of("CONNECTED a", "AUTH_FAILURE a", "EXIT a", "CONNECTED b", "LOGIN b", "EXIT b"), written);
    assertEquals(List.of(), preLogin.takeSummaries());
  }
}
