package dev.ferry.server;

import static dev.ferry.server.ActivityFile.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.core.s3.S3Location;
import dev.ferry.core.testing.Await;
import dev.ferry.core.testing.S3TestServer;
import dev.ferry.core.user.Authenticator;
import dev.ferry.core.user.PasswordHasher;
import dev.ferry.core.user.Permission;
import dev.ferry.core.user.User;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * user disable / user enable with real clients against a whole Ferry and a real S3-API server: a
 * disabled user's logins are refused over FTPS (lftp), SFTP with a key (OpenSSH sftp) and with a
 * password (paramiko) exactly as a wrong password or key is, the activity log says "user
 * disabled", and the user's open sessions are closed at once; enabled, the user logs in again.
 */
class UserDisableIT {

  static final String TOKEN = "user-disable-token-0123456789";
  static final String PASSWORD = "alice-Pa55word";
  static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension
  static final S3TestServer s3 = new S3TestServer();

  @RegisterExtension
  static final SshTestClient ssh = new SshTestClient();

  @TempDir
  static Path dir;

  static FerryServer ferry;
  static OpenSshSftp aliceOpenSsh;
  static OpenSshSftp strangerOpenSsh;
  static KeyPair aliceKey;
  static KeyPair opsKey;
  static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    String bucket = s3.createBucket();
    aliceOpenSsh = OpenSshSftp.withNewKey(Files.createDirectories(dir.resolve("alice-key")));
    strangerOpenSsh = OpenSshSftp.withNewKey(Files.createDirectories(dir.resolve("stranger-key")));
    aliceKey = KeyUtils.generateKeyPair(KeyPairProvider.SSH_ED25519, 256);
    opsKey = KeyUtils.generateKeyPair(KeyPairProvider.SSH_ED25519, 256);
    // A long lease: the sweep of other nodes' disablings runs every 20 s, so a session closed
    // sooner was closed by the command itself.
    String yaml = EmbeddedFerry.loopbackConfig(dir.resolve("data"), s3) + """
        store:
          lease: 60s
        login:
          failureDelay: 100ms
          maxFailures: 100
        admin:
          http:
            port: 0
            token: %s
        users:
          - name: alice
            passwordHash: "%s"
            home: s3://%s/alice/
            permissions: [all]
            publicKeys: ["%s", "%s"]
          - name: ops
            home: s3://%s/ops/
            admin: true
            publicKeys: ["%s"]
        """.formatted(TOKEN, PasswordHasher.hash(PASSWORD.toCharArray()), bucket, aliceOpenSsh.publicKey,
        PublicKeyEntry.toString(aliceKey.getPublic()), bucket, PublicKeyEntry.toString(opsKey.getPublic()));
    ferry = EmbeddedFerry.start(dir, yaml, Map.of());
  }

  @AfterAll
  static void stop() {
    if (ferry != null) {
      ferry.stop();
    }
  }

  /** Each test starts with alice enabled, whatever the one before left. */
  @AfterEach
  void enableAlice() throws Exception {
    api(ferry, "user", "enable", "alice");
  }

  static JsonNode api(FerryServer server, String command, String... args) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.adminHttp().port()
        + "/api/" + command)).timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + TOKEN)
        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("args", List.of(args))))).build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    JsonNode body = JSON.readTree(response.body());
    ((com.fasterxml.jackson.databind.node.ObjectNode) body).put("httpStatus", response.statusCode());
    return body;
  }

  static JsonNode userEntry(FerryServer server, String name) throws Exception {
    for (JsonNode user : api(server, "users").get("data")) {
      if (user.get("name").asText().equals(name)) {
        return user;
      }
    }
    throw new AssertionError("no user " + name + " in the users command's answer");
  }

  @Test
  void disabledUser_refusedOverFtpsAndSftp_likeWrongCredentials_loggedAsDisabled_thenEnabledAgain() throws Exception {
    int ftps = ferry.ftps().port();
    int sftp = ferry.sftp().port();
    new Lftp(ftps, "alice", PASSWORD).run("ls");
    aliceOpenSsh.batch(sftp, "alice", "ls");
    assertEquals("logged in", ParamikoLogin.attempt(sftp, "alice", PASSWORD));
    String wrongPasswordFtps = new Lftp(ftps, "alice", "not-" + PASSWORD).refused("ls");
    String unlistedKey = strangerOpenSsh.refusedBatch(sftp, "alice", "ls");
    String wrongPasswordSftp = ParamikoLogin.attempt(sftp, "alice", "not-" + PASSWORD);
    ActivityFile activity = ActivityFile.fromNow();

    SshExec disabled;
    try (ClientSession ops = ssh.login("ops", sftp, opsKey)) {
      disabled = SshExec.run(ops, "user disable alice --reason 'left the team'", Duration.ofSeconds(30));
    }

    assertEquals(0, disabled.status(), disabled.err());
    assertTrue(disabled.out().contains("user alice disabled"), disabled.out());
    assertEquals(wrongPasswordFtps, new Lftp(ftps, "alice", PASSWORD).refused("ls"), "FTPS: as a wrong password");
    assertEquals(unlistedKey, aliceOpenSsh.refusedBatch(sftp, "alice", "ls"), "SFTP key: as a key not listed");
    assertEquals(wrongPasswordSftp, ParamikoLogin.attempt(sftp, "alice", PASSWORD), "SFTP password: as a wrong one");
    JsonNode alice = userEntry(ferry, "alice");
    assertTrue(alice.get("disabled").asBoolean(), alice.toString());
    assertEquals("left the team", alice.get("disabledReason").asText());
    assertEquals("ops", alice.get("disabledBy").asText());
    assertFalse(userEntry(ferry, "ops").get("disabled").asBoolean());
    for (String protocol : List.of("FTPS", "SFTP")) {
      Await.until(() -> activity.lines().stream().filter(is("AUTH_FAILURE", null))
          .anyMatch(l -> protocol.equals(l.path("protocol").asText())
              && "alice (user disabled)".equals(l.path("detail").asText())), Duration.ofSeconds(10),
          protocol + "'s AUTH_FAILURE line naming the disabled user");
    }
    assertEquals(3, activity.lines().stream().filter(is("AUTH_FAILURE", null))
        .filter(l -> l.path("detail").asText().contains("user disabled")).count(),
        "one refusal each of lftp, OpenSSH's key and paramiko's password: " + activity.lines());

    JsonNode enabled = api(ferry, "user", "enable", "alice");

    assertEquals(200, enabled.get("httpStatus").asInt(), enabled.toString());
    assertTrue(enabled.get("data").get("wasDisabled").asBoolean());
    new Lftp(ftps, "alice", PASSWORD).run("ls");
    aliceOpenSsh.batch(sftp, "alice", "ls");
    assertEquals("logged in", ParamikoLogin.attempt(sftp, "alice", PASSWORD));
    assertFalse(userEntry(ferry, "alice").get("disabled").asBoolean());
  }

  @Test
  void disable_closesTheUsersOpenSessionsOnThisNodeAtOnce() throws Exception {
    Process lftp = new ProcessBuilder("lftp", "-c", "set ssl:verify-certificate no; open -u 'alice','" + PASSWORD
        + "' ftp://127.0.0.1:" + ferry.ftps().port() + "; ls; sleep 120").redirectErrorStream(true)
        .redirectOutput(dir.resolve("lftp-held.log").toFile()).start();
    try (ClientSession sftp = ssh.login("alice", ferry.sftp().port(), aliceKey)) {
      Await.until(() -> ferry.gateway().sessions().sessionsOf("alice") == 2, Duration.ofSeconds(30),
          "alice's FTPS and SFTP sessions to be logged in");

      JsonNode disabled = api(ferry, "user", "disable", "alice");

      assertEquals(200, disabled.get("httpStatus").asInt(), disabled.toString());
      assertEquals(2, disabled.get("data").get("sessionsClosed").asInt(), disabled.toString());
      Await.until(() -> ferry.gateway().sessions().sessionsOf("alice") == 0 && !sftp.isOpen(),
          Duration.ofSeconds(10), "alice's sessions to be closed (long before the 20 s sweep)");
      assertEquals("token:default", userEntry(ferry, "alice").get("disabledBy").asText());
      assertEquals("", userEntry(ferry, "alice").get("disabledReason").asText());
    } finally {
      lftp.destroyForcibly();
      lftp.waitFor();
    }
  }

  @Test
  void unknownUserOrBadWords_clearError_nothingChanged() throws Exception {
    JsonNode unknown = api(ferry, "user", "disable", "nobody", "--reason", "typo");
    assertEquals(404, unknown.get("httpStatus").asInt(), unknown.toString());
    assertTrue(unknown.get("error").asText().contains("unknown user 'nobody'")
        && unknown.get("error").asText().contains("nothing changed"), unknown.toString());
    JsonNode enableUnknown = api(ferry, "user", "enable", "nobody");
    assertEquals(404, enableUnknown.get("httpStatus").asInt(), enableUnknown.toString());
    JsonNode badAction = api(ferry, "user", "remove", "alice");
    assertEquals(400, badAction.get("httpStatus").asInt(), badAction.toString());
    assertTrue(badAction.get("error").asText().contains("'remove'"), badAction.toString());
    JsonNode reasonOnEnable = api(ferry, "user", "enable", "alice", "--reason", "back");
    assertEquals(400, reasonOnEnable.get("httpStatus").asInt(), reasonOnEnable.toString());

    assertEquals(Map.of(), ferry.gateway().disabledUsers().all(), "nothing was disabled");
    for (JsonNode user : api(ferry, "users").get("data")) {
      assertFalse(user.get("disabled").asBoolean(), user.toString());
    }
  }

  /** An application's own user (its Authenticator) is disabled once Ferry has seen it log in. */
  @Test
  void authenticatorUser_disabledAfterItsLogin_refused_thenEnabled() throws Exception {
    String bucket = s3.createBucket();
    Authenticator application = new Authenticator() {
      @Override
      public Optional<User> password(String name, char[] password) {
        return name.equals("carol") && new String(password).equals("carol-Pa55word")
            ? Optional.of(new User("carol", null, new S3Location(bucket, "carol/"),
            EnumSet.of(Permission.LIST, Permission.READ), List.of(), false)) : Optional.empty();
      }
    };
    FerryServer app = FerryServer.builder()
        .dataDir(dir.resolve("app"))
        .s3(s3.endpoint(), s3.accessKey(), s3.secretKey())
        .ftps("127.0.0.1", 0)
        .sftp("127.0.0.1", 0)
        .set("login.maxFailures", 100)
        .set("admin.http.port", 0)
        .set("admin.http.token", TOKEN)
        .authenticator(application)
        .start();
    try {
      int ftps = app.ftps().port();
      assertEquals(404, api(app, "user", "disable", "carol").get("httpStatus").asInt(), "not seen yet");
      new Lftp(ftps, "carol", "carol-Pa55word").run("ls");
      String wrong = new Lftp(ftps, "carol", "not-carol-Pa55word").refused("ls");

      assertEquals(200, api(app, "user", "disable", "carol", "--reason", "contract ended").get("httpStatus").asInt());

      assertEquals(wrong, new Lftp(ftps, "carol", "carol-Pa55word").refused("ls"));
      JsonNode carol = userEntry(app, "carol");
      assertFalse(carol.get("configured").asBoolean());
      assertEquals("contract ended", carol.get("disabledReason").asText());
      assertEquals(200, api(app, "user", "enable", "carol").get("httpStatus").asInt());
      new Lftp(ftps, "carol", "carol-Pa55word").run("ls");
    } finally {
      app.stop();
    }
  }
}
