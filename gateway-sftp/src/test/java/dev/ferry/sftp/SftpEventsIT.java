package dev.ferry.sftp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.event.FileEvent;
import dev.ferry.core.event.Origin;
import dev.ferry.core.event.SessionEvent;
import dev.ferry.core.testing.Await;
import dev.ferry.core.testing.RecordedEvents;
import dev.ferry.core.testing.S3TestServer;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.sftp.client.SftpClient.CloseableHandle;
import org.apache.sshd.sftp.client.SftpClient.OpenMode;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClientFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** What an SFTP session publishes on core's event stream: the same events as an FTPS session's. */
class SftpEventsIT {

  @RegisterExtension
  static final S3TestServer s3 = new S3TestServer();

  @TempDir
  Path dir;

  SftpTestGateway ferry;
  RecordedEvents events;

  @BeforeEach
  void start() throws Exception {
    ferry = new SftpTestGateway(s3, dir, 5 << 20, "");
    events = RecordedEvents.of(ferry.gateway.events());
  }

  @AfterEach
  void stop() throws IOException {
    ferry.close();
  }

  @Test
  void session_passwordRefusedThenKeyLogin_fileChangesPublishedAsTheSessions() throws Exception {
    ClientSession refused = ferry.client.connect("alice", "127.0.0.1", ferry.sftp.port()).verify(Duration.ofSeconds(10))
        .getSession();
    refused.addPasswordIdentity("wrong-password");
    assertThrows(IOException.class, () -> refused.auth().verify(Duration.ofSeconds(30)));
    refused.close(true);

    ClientSession session = ferry.sessionWithKey("alice", ferry.aliceKey);
    byte[] data = "events of an SFTP session\n".getBytes();
    try (SftpClient sftp = SftpClientFactory.instance().createSftpClient(session).singleSessionInstance()) {
      sftp.mkdir("in");
      try (OutputStream out = sftp.write("in/a.csv")) {
        out.write(data);
      }
      sftp.rename("in/a.csv", "in/b.csv");
      sftp.remove("in/b.csv");
      sftp.rmdir("in");
    }
    Await.until(() -> events.sessions().stream().filter(e -> e.type() == SessionEvent.Type.EXIT).count() == 2,
        "both connections' EXIT");

    SessionEvent failure = events.sessions().stream().filter(e -> e.type() == SessionEvent.Type.AUTH_FAILURE)
        .findFirst().orElseThrow();
    assertEquals("alice", failure.detail());
    assertNull(failure.session().user());
    SessionEvent login = events.sessions().stream().filter(e -> e.type() == SessionEvent.Type.LOGIN).findFirst()
        .orElseThrow();
    assertEquals("SFTP", login.session().protocol());
    assertEquals("alice", login.session().user());
    String id = login.session().id();
    assertEquals(List.of(SessionEvent.Type.CONNECTED, SessionEvent.Type.LOGIN, SessionEvent.Type.EXIT),
        events.sessions().stream().filter(e -> e.session().id().equals(id)).map(SessionEvent::type).toList());

    List<FileEvent> files = events.files();
    assertEquals(List.of(FileEvent.Type.DIRECTORY_CREATED, FileEvent.Type.OPENED, FileEvent.Type.UPLOADED,
        FileEvent.Type.RENAMED, FileEvent.Type.DELETED, FileEvent.Type.DIRECTORY_DELETED),
        files.stream().map(FileEvent::type).toList());
    assertEquals("WRITE", files.get(1).detail(), "opened for writing");
    files = files.stream().filter(e -> e.type() != FileEvent.Type.OPENED).toList();
    for (FileEvent event : files) {
      assertEquals(Origin.Kind.CLIENT, event.origin().kind());
      assertEquals(id, event.origin().session().id(), event.toString());
    }
    assertEquals("/in/a.csv", files.get(1).path());
    assertEquals(data.length, files.get(1).bytes());
    assertEquals(ferry.key("in/a.csv"), files.get(1).object().key());
    assertEquals("/in/a.csv", files.get(2).fromPath());
    assertEquals("/in/b.csv", files.get(2).path());
  }

  @Test
  void disconnectMidUpload_partialUploadAndNoUploaded() throws Exception {
    ClientSession session = ferry.session("alice");
    SftpClient sftp = SftpClientFactory.instance().createSftpClient(session);
    CloseableHandle handle = sftp.open("cut.bin", OpenMode.Write, OpenMode.Create, OpenMode.Truncate);
    byte[] chunk = new byte[64 * 1024];
    for (int at = 0; at < 8 << 20; at += chunk.length) {
      sftp.write(handle, at, chunk, 0, chunk.length);
    }
    session.close(true);
    Await.until(() -> events.files().size() == 2, "the events of the cut-off upload");
    Await.until(() -> events.sessions().stream().anyMatch(e -> e.type() == SessionEvent.Type.EXIT), "EXIT");
    assertEquals(List.of(FileEvent.Type.OPENED, FileEvent.Type.PARTIAL_UPLOAD),
        events.files().stream().map(FileEvent::type).toList());
    assertEquals("/cut.bin", events.files().get(1).path());
    assertTrue(s3.find(ferry.bucket, ferry.key("cut.bin")).isEmpty());
  }
}
