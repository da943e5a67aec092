package dev.ferry.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.config.ConfigException;
import dev.ferry.core.event.FerryEvent;
import dev.ferry.core.event.FileEvent;
import dev.ferry.core.event.SessionEvent;
import dev.ferry.core.testing.Await;
import dev.ferry.core.testing.S3TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * An application embeds Ferry with the builder, no ferry.yaml, and hears of a real OpenSSH sftp
 * client's session and upload through its event subscriber.
 */
class FerryBuilderIT {

  @RegisterExtension
  static final S3TestServer s3 = new S3TestServer();

  @TempDir
  Path dir;

  @Test
  void embeddedFerry_openSshUpload_reachesS3AndTheApplicationsSubscriber() throws Exception {
    String bucket = s3.createBucket();
    OpenSshSftp client = OpenSshSftp.withNewKey(dir);
    List<FerryEvent> heard = new CopyOnWriteArrayList<>();

    FerryServer ferry = FerryServer.builder()
        .dataDir(dir.resolve("ferry"))
        .s3(s3.endpoint(), s3.accessKey(), s3.secretKey())
        .ftps("127.0.0.1", 0)
        .sftp("127.0.0.1", 0)
        .userWithKey("partner", client.publicKey, "s3://" + bucket + "/partner/", "list", "read", "write")
        .onEvent("application", heard::add)
        .start();
    try {
      byte[] data = "a file a partner sends to an application that embeds Ferry\n".getBytes(StandardCharsets.UTF_8);
      Path file = Files.write(dir.resolve("report.csv"), data);
      client.batch(ferry.sftp().port(), "partner", "put " + file + " report.csv");

      assertArrayEquals(data, s3.read(bucket, "partner/report.csv"));
      Await.until(() -> heard.stream().anyMatch(e -> e instanceof SessionEvent s && s.type() == SessionEvent.Type.EXIT),
          "the session's EXIT");
      FileEvent upload = heard.stream().filter(FileEvent.class::isInstance).map(FileEvent.class::cast).findFirst()
          .orElseThrow();
      assertEquals(FileEvent.Type.UPLOADED, upload.type());
      assertEquals("/report.csv", upload.path());
      assertEquals(bucket, upload.object().bucket());
      assertEquals("partner/report.csv", upload.object().key());
      assertEquals(data.length, upload.bytes());
      assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data)), upload.sha256());
      assertEquals("partner", upload.origin().session().user());
      assertEquals("SFTP", upload.origin().session().protocol());
      assertEquals(List.of(SessionEvent.Type.CONNECTED, SessionEvent.Type.LOGIN, SessionEvent.Type.EXIT),
          heard.stream().filter(SessionEvent.class::isInstance).map(e -> ((SessionEvent) e).type()).toList(),
          "the subscriber, there before start, heard the connection from its start");
    } finally {
      ferry.stop();
    }
  }

  @Test
  void builder_badSetting_refusedNamingTheKeyAsInFerryYaml() {
    ConfigException home = assertThrows(ConfigException.class, () -> FerryServer.builder()
        .dataDir(dir.resolve("ferry"))
        .s3(s3.endpoint(), s3.accessKey(), s3.secretKey())
        .sftp("127.0.0.1", 0)
        .userWithKey("partner", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEr9bbXzjz2VRu9k4SzeiaCBYrSSBvbCSmsyzI5vsFdT",
            "partner-bucket/in/")
        .start());
    assertTrue(home.getMessage().contains("users[0].home"), home.getMessage());
    ConfigException unknown = assertThrows(ConfigException.class, () -> FerryServer.builder()
        .dataDir(dir.resolve("ferry"))
        .s3(s3.endpoint(), s3.accessKey(), s3.secretKey())
        .user("partner", "a-good-password".toCharArray(), "s3://partner-bucket/in/")
        .set("uploads.partSise", "16MiB")
        .start());
    assertTrue(unknown.getMessage().contains("uploads.partSise"), unknown.getMessage());
  }
}
