package dev.ferry.ftps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.event.FerryEvent;
import dev.ferry.core.event.FileEvent;
import dev.ferry.core.event.Origin;
import dev.ferry.core.event.SessionEvent;
import dev.ferry.core.testing.Await;
import dev.ferry.core.testing.RecordedEvents;
import dev.ferry.core.testing.S3TestServer;
import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** What a real FTPS client's session publishes on core's event stream, in order, as the session's. */
class FtpsEventsIT {

  @RegisterExtension
  static final S3TestServer s3 = new S3TestServer();

  @TempDir
  Path dir;

  FtpsTestGateway ferry;
  RecordedEvents events;

  @BeforeEach
  void start() throws Exception {
    ferry = new FtpsTestGateway(s3, dir, 5 << 20);
    events = RecordedEvents.of(ferry.gateway.events());
  }

  @AfterEach
  void stop() {
    ferry.close();
  }

  @Test
  void session_loginUploadRenameDeleteDirectories_eachPublishedAsTheSessions() throws Exception {
    KillableFtpsClient refused = ferry.connect(false);
    assertFalse(refused.login("alice", "wrong-password"));
    refused.disconnect();

    KillableFtpsClient client = ferry.login("alice");
    byte[] data = "events of a real FTPS session\n".getBytes();
    assertTrue(client.makeDirectory("in"));
    assertTrue(client.storeFile("in/a.csv", new ByteArrayInputStream(data)), client.getReplyString());
    assertTrue(client.rename("in/a.csv", "in/b.csv"), client.getReplyString());
    assertTrue(client.deleteFile("in/b.csv"), client.getReplyString());
    assertTrue(client.removeDirectory("in"), client.getReplyString());
    client.logout();
    client.disconnect();
    Await.until(() -> events.sessions().stream().filter(e -> e.type() == SessionEvent.Type.EXIT).count() == 2,
        "both connections' EXIT");

    List<SessionEvent> sessions = events.sessions();
    SessionEvent failure = sessions.stream().filter(e -> e.type() == SessionEvent.Type.AUTH_FAILURE).findFirst()
        .orElseThrow();
    assertEquals("alice", failure.detail(), "the user name tried");
    assertNull(failure.session().user(), "not logged in");
    SessionEvent login = sessions.stream().filter(e -> e.type() == SessionEvent.Type.LOGIN).findFirst().orElseThrow();
    assertEquals("alice", login.session().user());
    assertEquals("FTPS", login.session().protocol());
    assertEquals("127.0.0.1", login.session().address());
    String id = login.session().id();
    assertEquals(List.of(SessionEvent.Type.CONNECTED, SessionEvent.Type.LOGIN, SessionEvent.Type.EXIT),
        sessions.stream().filter(e -> e.session().id().equals(id)).map(SessionEvent::type).toList());
    assertEquals(List.of(SessionEvent.Type.CONNECTED, SessionEvent.Type.AUTH_FAILURE, SessionEvent.Type.EXIT),
        sessions.stream().filter(e -> e.session().id().equals(failure.session().id())).map(SessionEvent::type)
            .toList());

    List<FileEvent> files = events.files();
    assertEquals(List.of(FileEvent.Type.DIRECTORY_CREATED, FileEvent.Type.OPENED, FileEvent.Type.UPLOADED,
        FileEvent.Type.RENAMED, FileEvent.Type.DELETED, FileEvent.Type.DIRECTORY_DELETED),
        files.stream().map(FileEvent::type).toList());
    assertEquals("WRITE", files.get(1).detail(), "opened for writing");
    files = files.stream().filter(e -> e.type() != FileEvent.Type.OPENED).toList();
    for (FileEvent event : files) {
      assertEquals(Origin.Kind.CLIENT, event.origin().kind());
      assertEquals(id, event.origin().session().id(), "published as the logged-in session's: " + event);
      assertEquals("alice", event.origin().session().user());
    }
    FileEvent upload = files.get(1);
    assertEquals("/in/a.csv", upload.path());
    assertEquals(ferry.bucket, upload.object().bucket());
    assertEquals(ferry.key("in/a.csv"), upload.object().key());
    assertEquals(data.length, upload.bytes());
    assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data)), upload.sha256());
    FileEvent rename = files.get(2);
    assertEquals("/in/a.csv", rename.fromPath());
    assertEquals("/in/b.csv", rename.path());
    assertEquals(ferry.key("in/b.csv"), rename.object().key());
    assertEquals("/in/b.csv", files.get(3).path());
    assertEquals("/in", files.get(4).path());
    Set<String> ids = events.all().stream().map(FerryEvent::id).collect(Collectors.toSet());
    assertEquals(events.all().size(), ids.size(), "every event has an id of its own");
  }

  @Test
  void uploadCutOff_partialUploadAndNoUploaded() throws Exception {
    KillableFtpsClient client = ferry.login("alice");
    OutputStream out = client.storeFileStream("cut.bin");
    assertNotNull(out, client.getReplyString());
    // More than the socket buffers hold: the kill comes while Ferry reads (as FtpsGatewayIT's).
    out.write(new byte[15 << 20]);
    out.flush();
    client.kill();
    Await.until(() -> events.files().stream().anyMatch(e -> e.type() == FileEvent.Type.PARTIAL_UPLOAD),
        "PARTIAL_UPLOAD of the cut-off upload");
    FileEvent partial = events.files().get(1);
    assertEquals("/cut.bin", partial.path());
    assertNotNull(partial.detail(), "says why");
    assertEquals(List.of(FileEvent.Type.OPENED, FileEvent.Type.PARTIAL_UPLOAD),
        events.files().stream().map(FileEvent::type).toList());
    assertTrue(s3.find(ferry.bucket, ferry.key("cut.bin")).isEmpty());
  }
}
