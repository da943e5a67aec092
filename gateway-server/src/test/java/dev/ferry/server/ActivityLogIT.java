package dev.ferry.server;

import static dev.ferry.server.ActivityFile.is;
import static dev.ferry.server.ActivityFile.only;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.core.testing.Await;
import dev.ferry.core.testing.S3TestServer;
import dev.ferry.core.user.PasswordHasher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The activity log as an operator reads it: the JSON lines that real lftp, curl, OpenSSH sftp and
 * paramiko sessions leave in the rotating file of deploy/logback-activity-file.xml (the surefire
 * configuration of this module points logback at it). A killed upload leaves PARTIAL_CLOSE and no
 * CLOSE; no line holds a password.
 */
class ActivityLogIT {

  private static final String FTP_PASSWORD = "activity-Ftp-Pa55";
  private static final String WRONG_PASSWORD = "not-the-Pa55word-42";

  @RegisterExtension
  static final S3TestServer s3 = new S3TestServer();

  @TempDir
  Path dir;

  ActivityFile activity;

  @BeforeEach
  void skipEarlierLines() {
    activity = ActivityFile.fromNow();
  }

  /** The lines of the activity file written since this test started, parsed. */
  List<JsonNode> lines() {
    return activity.lines();
  }

  /** The lines of the sessions in which {@code user} logged in, in order. */
  List<JsonNode> sessionsOf(String user) {
    List<JsonNode> all = lines();
    Set<String> sessions = all.stream().filter(l -> user.equals(l.path("user").asText()))
        .map(l -> l.path("sessionId").asText()).collect(Collectors.toSet());
    return all.stream().filter(l -> sessions.contains(l.path("sessionId").asText())).toList();
  }

  /**
   * The lines both protocols' sessions have (the session's life, mkdir, the upload and download of
   * /d/a.bin with its size, SHA-256, object and client, the rename, the killed upload) and {@code
   * more}.
   */
  static void transfersLogged(List<JsonNode> lines, String protocol, byte[] data, String object,
      String... more) {
    List<String> activities = lines.stream().map(l -> l.path("activity").asText()).toList();
    List<String> expected = new ArrayList<>(List.of("CONNECTED", "LOGIN", "CREATE_DIRECTORY", "OPEN", "CLOSE",
        "RENAME", "PARTIAL_CLOSE", "EXIT"));
    expected.addAll(List.of(more));
    for (String activity : expected) {
      assertTrue(activities.contains(activity), activity + " in " + activities);
    }
    JsonNode upload = only(lines, is("CLOSE", "/d/a.bin").and(l -> "WRITE".equals(l.path("mode").asText())),
        "the upload's CLOSE");
    assertEquals(data.length, upload.path("bytes").asLong());
    assertEquals(S3TestServer.sha256Hex(data), upload.path("sha256").asText());
    assertEquals(protocol, upload.path("protocol").asText());
    assertEquals("127.0.0.1", upload.path("clientIp").asText());
    assertEquals(object, upload.path("object").asText());
    assertTrue(upload.path("durationMs").asLong() >= 0 && upload.has("sessionId"), upload.toString());
    assertEquals(data.length, only(lines, is("CLOSE", "/d/a.bin").and(l -> "READ".equals(l.path("mode").asText())),
        "the download's CLOSE").path("bytes").asLong());
    assertTrue(activities.indexOf("OPEN") < activities.indexOf("CLOSE"), activities.toString());
  }

  String yaml(String bucket, OpenSshSftp client) {
    return EmbeddedFerry.loopbackConfig(dir.resolve("data"), s3) + """
        login:
          maxFailures: 100
        users:
          - name: actftp
            passwordHash: "%s"
            home: s3://%s/actftp/
            permissions: [all]
          - name: actsftp
            home: s3://%s/actsftp/
            permissions: [list, read, write, overwrite, rename, mkdir]
            publicKeys: ["%s"]
        """.formatted(PasswordHasher.hash(FTP_PASSWORD.toCharArray()), bucket, bucket, client.publicKey);
  }

  @Test
  void ftpsSessions_lftpAndAKilledCurl_loggedLineByLine() throws Exception {
    String bucket = s3.createBucket();
    byte[] data = new byte[300_000];
    new Random(41).nextBytes(data);
    Path file = Files.write(dir.resolve("a.bin"), data);
    FerryServer ferry = EmbeddedFerry.start(dir, yaml(bucket, OpenSshSftp.withNewKey(dir)), Map.of());
    try {
      int port = ferry.ftps().port();
      assertThrows(AssertionError.class, () -> new Lftp(port, "actftp", WRONG_PASSWORD).run("ls"));
      new Lftp(port, "actftp", FTP_PASSWORD).run("mkdir d; put '" + file + "' -o d/a.bin; get d/a.bin -o '"
          + dir.resolve("back.bin") + "'; mv d/a.bin d/b.bin; rm d/b.bin; rmdir d");
      assertArrayEquals(data, Files.readAllBytes(dir.resolve("back.bin")));

      // A client killed mid-upload: curl sends what the pipe gives it, then waits for more until killed.
      Process curl = new ProcessBuilder("sh", "-c", "(head -c 200000 /dev/urandom; sleep 60) | curl -sS -k --ssl-reqd"
          + " -u actftp:" + FTP_PASSWORD + " -T - ftp://127.0.0.1:" + port + "/killed-ftps.bin").start();
      Await.until(() -> lines().stream().anyMatch(is("OPEN", "/killed-ftps.bin")), "curl's upload to be open");
      // curl first: killing the writer before it closes the pipe, and curl then ends its upload cleanly
      // (close_notify, 226), which a full file committed would show instead of the cut one.
      curl.descendants().filter(p -> p.info().command().map(c -> c.endsWith("/curl")).orElse(false))
          .forEach(ProcessHandle::destroyForcibly);
      curl.descendants().forEach(ProcessHandle::destroyForcibly);
      curl.destroyForcibly();
      Await.until(() -> lines().stream().anyMatch(is("PARTIAL_CLOSE", "/killed-ftps.bin")), Duration.ofSeconds(30),
          "the killed upload's PARTIAL_CLOSE");
      Await.until(() -> sessionsOf("actftp").stream().filter(is("EXIT", null)).count() == 2,
          "both sessions' EXIT");
    } finally {
      ferry.stop();
    }

    List<JsonNode> lines = sessionsOf("actftp");
    transfersLogged(lines, "FTPS", data, "s3://" + bucket + "/actftp/d/a.bin",
        "DELETE", "DELETE_DIRECTORY");
    JsonNode rename = only(lines, is("RENAME", "/d/b.bin"), "the rename");
    assertEquals("/d/a.bin", rename.path("fromPath").asText());

    JsonNode partial = only(lines, is("PARTIAL_CLOSE", "/killed-ftps.bin"), "the killed upload");
    assertEquals("PARTIAL", partial.path("outcome").asText());
    assertFalse(lines.stream().anyMatch(is("CLOSE", "/killed-ftps.bin")), "no CLOSE for the killed upload");
    assertTrue(s3.find(bucket, "actftp/killed-ftps.bin").isEmpty());

    JsonNode refused = lines().stream().filter(is("AUTH_FAILURE", null))
        .filter(l -> l.path("detail").asText().contains("actftp")).findFirst().orElseThrow();
    assertEquals("REFUSED", refused.path("outcome").asText());
    String everything = lines().toString();
    assertFalse(everything.contains(WRONG_PASSWORD) || everything.contains(FTP_PASSWORD), "a password in the log");
  }

  @Test
  void sftpSessions_openSshAndAKilledParamiko_loggedLineByLine() throws Exception {
    String bucket = s3.createBucket();
    OpenSshSftp client = OpenSshSftp.withNewKey(dir);
    byte[] data = new byte[500_000];
    new Random(43).nextBytes(data);
    Path file = Files.write(dir.resolve("a.bin"), data);
    FerryServer ferry = EmbeddedFerry.start(dir, yaml(bucket, client), Map.of());
    try {
      int port = ferry.sftp().port();
      client.batch(port, "actsftp", "mkdir d", "put -p " + file + " d/a.bin", "get d/a.bin " + dir.resolve("back.bin"),
          "rename d/a.bin d/b.bin", "-rm d/b.bin");
      assertArrayEquals(data, Files.readAllBytes(dir.resolve("back.bin")));

      // paramiko sets a file's time, then writes part of another and its process dies without closing it.
      Process paramiko = new ProcessBuilder("/usr/bin/python3", "-c", """
          import os, sys, paramiko
          t = paramiko.Transport(("127.0.0.1", int(sys.argv[1])))
          t.connect(username="actsftp", pkey=paramiko.Ed25519Key.from_private_key_file(sys.argv[2]))
          sftp = paramiko.SFTPClient.from_transport(t)
          sftp.utime("d/b.bin", (1700000000, 1700000000))
          f = sftp.open("killed-sftp.bin", "w")
          f.write(os.urandom(300000))
          f.flush()
          os._exit(0)
          """, Integer.toString(port), client.key.toString()).redirectErrorStream(true).start();
      String output = new String(paramiko.getInputStream().readAllBytes());
      assertEquals(0, paramiko.waitFor(), output);
      Await.until(() -> lines().stream().anyMatch(is("PARTIAL_CLOSE", "/killed-sftp.bin")), Duration.ofSeconds(30),
          "the killed upload's PARTIAL_CLOSE");
      Await.until(() -> sessionsOf("actsftp").stream().filter(is("EXIT", null)).count() == 2, "both sessions' EXIT");
    } finally {
      ferry.stop();
    }

    List<JsonNode> lines = sessionsOf("actsftp");
    transfersLogged(lines, "SFTP", data, "s3://" + bucket + "/actsftp/d/a.bin", "SETSTAT", "ERROR");
    JsonNode times = only(lines, is("SETSTAT", "/d/b.bin"), "paramiko's utime");
    assertTrue(times.path("detail").asText().contains("2023-11-14T22:13:20Z"), times.toString());
    JsonNode refused = only(lines, is("ERROR", "/d/b.bin"), "the delete without the permission");
    assertTrue(refused.path("detail").asText().contains("permission 'delete' not granted"), refused.toString());
    assertEquals("REFUSED", refused.path("outcome").asText());
    only(lines, is("PARTIAL_CLOSE", "/killed-sftp.bin"), "the killed upload");
    assertFalse(lines.stream().anyMatch(is("CLOSE", "/killed-sftp.bin")), "no CLOSE for the killed upload");
    assertTrue(s3.find(bucket, "actsftp/killed-sftp.bin").isEmpty());
  }

  /**
   * ERROR lines beyond refused permissions, each with the session's fields: a busy file (its path
   * lock held by an upload in progress: a throttled curl over FTPS, paramiko over SFTP) written by
   * another client (lftp, OpenSSH sftp), a bad path (a name over 255 bytes), and S3 away while a
   * client reads (outcome FAILED).
   */
  @Test
  void errors_busyFileBadPathAndS3Away_loggedFromBothProtocols() throws Exception {
    String bucket = s3.createBucket();
    OpenSshSftp client = OpenSshSftp.withNewKey(dir);
    Path small = Files.write(dir.resolve("small.bin"), new byte[1000]);
    byte[] large = new byte[2_000_000];
    new Random(47).nextBytes(large);
    Path big = Files.write(dir.resolve("big.bin"), large);
    String longName = "n".repeat(300);
    FerryServer ferry = EmbeddedFerry.start(dir, yaml(bucket, client), Map.of());
    Process curl = null;
    Process paramiko = null;
    try {
      int ftps = ferry.ftps().port();
      int sftp = ferry.sftp().port();
      // 20 KB/s: the 2 MB upload holds /busy.bin's lock for over a minute, far longer than the test needs.
      curl = new ProcessBuilder("curl", "-sS", "-k", "--ssl-reqd", "--limit-rate", "20k", "-u",
          "actftp:" + FTP_PASSWORD, "-T", big.toString(), "ftp://127.0.0.1:" + ftps + "/busy.bin").start();
      Await.until(() -> lines().stream().anyMatch(is("OPEN", "/busy.bin")), "curl's upload to hold /busy.bin");
      Lftp lftp = new Lftp(ftps, "actftp", FTP_PASSWORD);
      lftp.refused("put '" + small + "' -o busy.bin"); // a 450: lftp tries again, then gives up
      lftp.refused("mkdir " + longName);

      paramiko = new ProcessBuilder("/usr/bin/python3", "-c", """
          import sys, paramiko
          t = paramiko.Transport(("127.0.0.1", int(sys.argv[1])))
          t.connect(username="actsftp", pkey=paramiko.Ed25519Key.from_private_key_file(sys.argv[2]))
          sftp = paramiko.SFTPClient.from_transport(t)
          f = sftp.open("held.bin", "w")
          f.write(b"x" * 100000)
          f.flush()
          print("open", flush=True)
          sys.stdin.read()
          """, Integer.toString(sftp), client.key.toString()).redirectErrorStream(true).start();
      String held = new java.io.BufferedReader(new java.io.InputStreamReader(paramiko.getInputStream(),
          java.nio.charset.StandardCharsets.UTF_8)).readLine();
      assertEquals("open", held, "paramiko holds /held.bin open for writing");
      client.batch(sftp, "actsftp", "-put " + small + " held.bin", "-mkdir " + longName);
      curl.destroyForcibly().waitFor();
      paramiko.destroyForcibly().waitFor();

      s3.stop();
      try {
        lftp.refused("get gone.bin -o '" + dir.resolve("gone.bin") + "'");
        client.batch(sftp, "actsftp", "-get gone.bin " + dir.resolve("gone-sftp.bin"));
      } finally {
        s3.start();
      }
    } finally {
      for (Process process : new Process[] {curl, paramiko}) {
        if (process != null) {
          process.destroyForcibly().waitFor();
        }
      }
      ferry.stop();
    }

    for (String[] expected : new String[][] {{"actftp", "FTPS", "/busy.bin"}, {"actsftp", "SFTP", "/held.bin"}}) {
      List<JsonNode> errors = lines().stream().filter(is("ERROR", null))
          .filter(l -> expected[0].equals(l.path("user").asText())).toList();
      // lftp may try a 450 again: one line per refused attempt.
      JsonNode busy = errors.stream().filter(l -> expected[2].equals(l.path("path").asText())).findFirst()
          .orElseThrow(() -> new AssertionError(expected[1] + ": no ERROR line for the busy file: " + errors));
      assertEquals("REFUSED", busy.path("outcome").asText());
      assertTrue(busy.path("detail").asText().contains("upload by " + expected[0] + ": file is busy"), busy.toString());
      JsonNode badPath = only(errors, l -> l.path("detail").asText().contains("name is longer than 255 bytes"),
          expected[1] + "'s bad path");
      assertEquals("REFUSED", badPath.path("outcome").asText());
      assertTrue(badPath.path("path").asText().endsWith(longName), badPath.toString());
      JsonNode s3Away = errors.stream().filter(l -> "FAILED".equals(l.path("outcome").asText())).findFirst()
          .orElseThrow(() -> new AssertionError(expected[1] + ": no FAILED line while S3 was away: " + errors));
      assertTrue(s3Away.path("path").asText().endsWith("gone.bin") && s3Away.path("detail").asText()
          .contains("by " + expected[0]), s3Away.toString());
      for (JsonNode error : List.of(busy, badPath, s3Away)) {
        assertEquals(expected[1], error.path("protocol").asText(), error.toString());
        for (String field : List.of("sessionId", "clientIp", "path", "detail")) {
          assertFalse(error.path(field).asText().isEmpty(), field + " in " + error);
        }
      }
    }
  }
}
