package dev.ferry.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.config.ConfigException;
import dev.ferry.core.event.FerryEvent;
import dev.ferry.core.event.FileEvent;
import dev.ferry.core.event.SessionEvent;
import dev.ferry.core.s3.S3Location;
import dev.ferry.core.testing.Await;
import dev.ferry.core.testing.S3TestServer;
import dev.ferry.core.user.Authenticator;
import dev.ferry.core.user.Permission;
import dev.ferry.core.user.User;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
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
      List<FileEvent> files = heard.stream().filter(FileEvent.class::isInstance).map(FileEvent.class::cast).toList();
      assertEquals(List.of(FileEvent.Type.OPENED, FileEvent.Type.UPLOADED), files.stream().map(FileEvent::type).toList());
      FileEvent upload = files.get(1);
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

  /**
   * An application with its own users and no ferry.yaml users: lftp logs in with a password and
   * OpenSSH sftp with a key, both answered by the application's authenticator, and upload to the
   * homes it gives; a wrong password is refused; without users or an authenticator, the start is.
   */
  @Test
  void authenticator_applicationsOwnUsers_logInOverFtpsAndSftp() throws Exception {
    String bucket = s3.createBucket();
    OpenSshSftp client = OpenSshSftp.withNewKey(dir);
    java.security.PublicKey daveKey = org.apache.sshd.common.config.keys.AuthorizedKeyEntry
        .parseAuthorizedKeyEntry(client.publicKey)
        .resolvePublicKey(null, org.apache.sshd.common.config.keys.PublicKeyEntryResolver.FAILING);
    List<String> asked = new CopyOnWriteArrayList<>();
    Authenticator applicationUsers = new Authenticator() {
      @Override
      public Optional<User> password(String name, char[] password) {
        asked.add("password " + name);
        return name.equals("carol") && java.util.Arrays.equals(password, "carol-Pa55word".toCharArray())
            ? Optional.of(user("carol")) : Optional.empty();
      }

      @Override
      public Optional<User> publicKey(String name, java.security.PublicKey key) {
        asked.add("key " + name);
        return name.equals("dave") && java.util.Arrays.equals(key.getEncoded(), daveKey.getEncoded())
            ? Optional.of(user("dave")) : Optional.empty();
      }

      private User user(String name) {
        return new User(name, null, new S3Location(bucket, name + "/"),
            EnumSet.of(Permission.LIST, Permission.READ, Permission.WRITE, Permission.MKDIR), List.of(), false);
      }
    };
    FerryServer ferry = FerryServer.builder()
        .dataDir(dir.resolve("ferry"))
        .s3(s3.endpoint(), s3.accessKey(), s3.secretKey())
        .ftps("127.0.0.1", 0)
        .sftp("127.0.0.1", 0)
        .set("login.maxFailures", 100)
        .authenticator(applicationUsers)
        .start();
    try {
      byte[] data = "known to the application, not to ferry.yaml\n".getBytes(StandardCharsets.UTF_8);
      Path file = Files.write(dir.resolve("note.txt"), data);
      new Lftp(ferry.ftps().port(), "carol", "carol-Pa55word").put(file, "in/note.txt");
      assertArrayEquals(data, s3.read(bucket, "carol/in/note.txt"));
      client.batch(ferry.sftp().port(), "dave", "put " + file + " note.txt");
      assertArrayEquals(data, s3.read(bucket, "dave/note.txt"));
      assertTrue(asked.contains("password carol") && asked.contains("key dave"), asked.toString());

      AssertionError refused = assertThrows(AssertionError.class,
          () -> new Lftp(ferry.ftps().port(), "carol", "not-her-password").run("ls"));
      assertTrue(refused.getMessage().contains("530"), refused.getMessage());
    } finally {
      ferry.stop();
    }

    ConfigException nobody = assertThrows(ConfigException.class, () -> FerryServer.builder()
        .dataDir(dir.resolve("ferry2"))
        .s3(s3.endpoint(), s3.accessKey(), s3.secretKey())
        .start());
    assertTrue(nobody.getMessage().contains("users") && nobody.getMessage().contains("at least one user"),
        nobody.getMessage());
  }
}
