package dev.ferry.server;

import static dev.ferry.server.ActivityFile.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.core.testing.Await;
import dev.ferry.core.testing.S3TestServer;
import dev.ferry.core.user.PasswordHasher;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where and until when a user may log in ({@code allowFrom}, {@code expires}), with real clients
 * bound to other loopback addresses as clients elsewhere would be: lftp, OpenSSH sftp with a key and
 * paramiko with a password are refused from outside a user's networks and after its expiry exactly
 * as with wrong credentials, the activity log says why, the refusals do not ban the address, and
 * the same limits set through the API on a user kept as data are in force at the next login.
 */
class UserLoginLimitsIT {

  static final String TOKEN = "login-limits-token-0123456789";
  static final String PASSWORD = "limited-Pa55word";
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient http = HttpClient.newHttpClient();

  @RegisterExtension
  static final S3TestServer s3 = new S3TestServer();

  @TempDir
  static Path dir;

  static FerryServer ferry;
  static OpenSshSftp aliceOpenSsh;
  static String bucket;

  @BeforeAll
  static void start() throws Exception {
    bucket = s3.createBucket();
    aliceOpenSsh = OpenSshSftp.withNewKey(Files.createDirectories(dir.resolve("alice-key")));
    String hash = PasswordHasher.hash(PASSWORD.toCharArray());
    // Two failures ban an address: the refusals below are more than two, and must not.
    String yaml = EmbeddedFerry.loopbackConfig(dir.resolve("data"), s3) + """
        login:
          failureDelay: 100ms
          maxFailures: 2
        admin:
          http:
            port: 0
            token: %s
        users:
          - name: alice
            passwordHash: "%s"
            home: s3://%s/alice/
            permissions: [all]
            publicKeys: ["%s"]
            allowFrom: [127.0.0.2/32, "2001:db8::/32"]
          - name: gone
            passwordHash: "%s"
            home: s3://%s/gone/
            expires: 2020-01-01T00:00:00Z
          - name: open
            passwordHash: "%s"
            home: s3://%s/open/
        """.formatted(TOKEN, hash, bucket, aliceOpenSsh.publicKey, hash, bucket, hash, bucket);
    ferry = EmbeddedFerry.start(dir, yaml, Map.of());
  }

  @AfterAll
  static void stop() {
    if (ferry != null) {
      ferry.stop();
    }
  }

  @Test
  void allowFrom_refusesOtherAddressesLikeWrongCredentials_admitsItsOwn_bansNobody() throws Exception {
    int ftps = ferry.ftps().port();
    int sftp = ferry.sftp().port();
    String wrongPasswordFtps = new Lftp(ftps, "open", "not-" + PASSWORD).from("127.0.0.3").refused("ls");
    String wrongPasswordSftp = ParamikoLogin.attemptFrom("127.0.0.3", sftp, "open", "not-" + PASSWORD);
    ActivityFile activity = ActivityFile.fromNow();

    assertEquals(wrongPasswordFtps.replace("open", "alice"), new Lftp(ftps, "alice", PASSWORD).refused("ls"),
        "FTPS from 127.0.0.1: as a wrong password");
    assertEquals(wrongPasswordSftp, ParamikoLogin.attempt(sftp, "alice", PASSWORD), "SFTP password: as a wrong one");
    aliceOpenSsh.refusedBatch(sftp, "alice", "ls");

    new Lftp(ftps, "alice", PASSWORD).from("127.0.0.2").run("ls");
    assertEquals("logged in", ParamikoLogin.attemptFrom("127.0.0.2", sftp, "alice", PASSWORD));
    aliceOpenSsh.from("127.0.0.2").batch(sftp, "alice", "ls");
    new Lftp(ftps, "open", PASSWORD).run("ls");
    assertEquals("logged in", ParamikoLogin.attempt(sftp, "open", PASSWORD),
        "three refusals from 127.0.0.1 with two failures to a ban: right credentials are no guesses");

    for (String protocol : List.of("FTPS", "SFTP")) {
      Await.until(() -> activity.lines().stream().filter(is("AUTH_FAILURE", null))
          .anyMatch(l -> protocol.equals(l.path("protocol").asText()) && l.path("detail").asText()
              .equals("alice (address 127.0.0.1 is not in the user's allowFrom)")), Duration.ofSeconds(10),
          protocol + "'s AUTH_FAILURE line saying why");
    }
  }

  @Test
  void expiredUser_refusedOverBothProtocols_sayingItExpired() throws Exception {
    ActivityFile activity = ActivityFile.fromNow();

    new Lftp(ferry.ftps().port(), "gone", PASSWORD).refused("ls");
    assertTrue(ParamikoLogin.attempt(ferry.sftp().port(), "gone", PASSWORD).startsWith("AuthenticationException"));

    Await.until(() -> activity.lines().stream().filter(is("AUTH_FAILURE", null)).filter(l -> l.path("detail")
        .asText().equals("gone (the user expired at 2020-01-01T00:00:00Z)")).count() == 2, Duration.ofSeconds(10),
        "an AUTH_FAILURE line of each protocol saying the user expired");
    assertEquals("2020-01-01T00:00:00Z", api("GET", "/gone", null).body().get("expires").asText());
  }

  @Test
  void limitsOfAUserKeptAsData_setAndChangedThroughTheApi_inForceAtTheNextLogin() throws Exception {
    int sftp = ferry.sftp().port();
    Answer created = api("POST", "", Map.of("name", "carol", "password", PASSWORD, "home",
        "s3://" + bucket + "/carol/", "allowFrom", List.of("127.0.0.4"), "expires", "2099-01-01T00:00:00Z"));
    assertEquals(201, created.status(), created.body().toString());
    assertEquals(List.of("127.0.0.4"), strings(created.body().get("allowFrom")));
    assertEquals("2099-01-01T00:00:00Z", created.body().get("expires").asText());

    assertTrue(ParamikoLogin.attempt(sftp, "carol", PASSWORD).startsWith("AuthenticationException"));
    assertEquals("logged in", ParamikoLogin.attemptFrom("127.0.0.4", sftp, "carol", PASSWORD));
    new Lftp(ferry.ftps().port(), "carol", PASSWORD).from("127.0.0.4").run("ls");

    Answer opened = api("PATCH", "/carol", Map.of("allowFrom", List.of()));
    assertEquals(200, opened.status(), opened.body().toString());
    assertEquals("2099-01-01T00:00:00Z", opened.body().get("expires").asText(), "a PATCH keeps what it does not give");
    assertEquals("logged in", ParamikoLogin.attempt(sftp, "carol", PASSWORD));

    Answer expired = api("PATCH", "/carol", Map.of("expires", Instant.now().minusSeconds(1).toString()));
    assertEquals(200, expired.status(), expired.body().toString());
    assertTrue(ParamikoLogin.attempt(sftp, "carol", PASSWORD).startsWith("AuthenticationException"));
    Answer cleared = api("PATCH", "/carol", Map.of("expires", ""));
    assertFalse(cleared.body().has("expires"), cleared.body().toString());
    assertEquals("logged in", ParamikoLogin.attempt(sftp, "carol", PASSWORD));

    Answer badNetwork = api("PATCH", "/carol", Map.of("allowFrom", List.of("10.0.0.0/8", "partner.example")));
    assertEquals(400, badNetwork.status(), badNetwork.body().toString());
    assertEquals("allowFrom[1]: must be an IP address or a network such as 10.0.0.0/24, got 'partner.example'",
        badNetwork.body().get("error").asText());
    Answer badExpiry = api("PATCH", "/carol", Map.of("expires", "tomorrow"));
    assertEquals(400, badExpiry.status(), badExpiry.body().toString());
    assertTrue(badExpiry.body().get("error").asText().startsWith("expires: must be an ISO-8601 instant"));
    assertEquals(cleared.body().get("version").asInt(), api("GET", "/carol", null).body().get("version").asInt(),
        "the refused changes changed nothing");
    assertEquals(204, api("DELETE", "/carol", null).status());
  }

  record Answer(int status, JsonNode body) {}

  static Answer api(String method, String path, Object body) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ferry.adminHttp().port()
        + "/api/v1/users" + path)).timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + TOKEN)
        .header("Content-Type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    return new Answer(response.statusCode(), response.body().isBlank() ? JSON.createObjectNode()
        : JSON.readTree(response.body()));
  }

  static List<String> strings(JsonNode array) {
    List<String> list = new java.util.ArrayList<>();
    array.forEach(item -> list.add(item.asText()));
    return list;
  }
}
