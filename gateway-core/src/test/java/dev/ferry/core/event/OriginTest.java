package dev.ferry.core.event;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

class OriginTest {

  @Test
  void aClientsChange_namesUserProtocolSessionAndAddress() {
    Origin origin = Origin.client(new SessionInfo("sftp-7", "SFTP", "127.0.0.9", "alice"));
    assertEquals(Map.of("ferry-user", "alice", "ferry-protocol", "SFTP", "ferry-session", "sftp-7",
        "ferry-client", "127.0.0.9"), origin.asObjectMetadata());
  }

  @Test
  void ferrysOwnWork_namesTheKindAndTheJob() {
    assertEquals(Map.of("ferry-origin", "sync", "ferry-job", "nightly"),
        Origin.of(Origin.Kind.SYNC, "nightly").asObjectMetadata());
  }

  @Test
  void aNameOutsideAscii_goesPercentEncoded_andALongOneIsCut() {
    Map<String, String> metadata = Origin.client(new SessionInfo("s", "FTPS", "::1", "zoë")).asObjectMetadata();
    assertEquals("zo%C3%AB", metadata.get("ferry-user"));
    String longName = "x".repeat(500);
    assertEquals(200, Origin.of(Origin.Kind.WATCH, longName).asObjectMetadata().get("ferry-job").length());
  }
}
