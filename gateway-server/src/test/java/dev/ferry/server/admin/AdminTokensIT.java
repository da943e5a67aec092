package dev.ferry.server.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.core.testing.S3TestServer;
import dev.ferry.jobs.admin.AdminCommandRegistry;
import dev.ferry.jobs.admin.AdminTokens;
import dev.ferry.server.EmbeddedFerry;
import dev.ferry.server.FerryServer;
import dev.ferry.server.SshTestClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClientFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Several named admin HTTP tokens over real HTTP: the single {@code token} key (named "default"),
 * an admin token given by its SHA-256, and a read-only one that may read but whose changes are
 * refused with 403 and change nothing (a real SFTP session stays connected). The audit line names
 * the token, never its value.
 */
class AdminTokensIT {

  static final String DEFAULT_TOKEN = "default-token-0123456789";
  static final String OPS_TOKEN = "ops-token-0123456789abcdef";
  static final String CI_TOKEN = "ci-token-0123456789abcdef";
  static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension
  static final S3TestServer s3 = new S3TestServer();

  @TempDir
  static Path dir;

  @RegisterExtension
  static final SshTestClient ssh = new SshTestClient();

  static FerryServer ferry;
  static KeyPair bobKey;
  static final HttpClient http = HttpClient.newHttpClient();

  final ListAppender<ILoggingEvent> audit = new ListAppender<>();

  @BeforeAll
  static void start() throws Exception {
    String bucket = s3.createBucket();
    bobKey = KeyUtils.generateKeyPair(KeyPairProvider.SSH_ED25519, 256);
    String yaml = EmbeddedFerry.loopbackConfig(dir.resolve("data"), s3) + """
        admin:
          http:
            port: 0
            token: ${DEFAULT_TOKEN}
            tokens:
              - name: ops
                tokenHash: %s
                role: admin
              - name: ci
                token: ${CI_TOKEN}
                role: read-only
        users:
          - name: bob
            home: s3://%s/bob/
            publicKeys: ["%s"]
        """.formatted(HexFormat.of().formatHex(AdminTokens.sha256(OPS_TOKEN)), bucket,
        PublicKeyEntry.toString(bobKey.getPublic()));
    ferry = EmbeddedFerry.start(dir, yaml, Map.of("DEFAULT_TOKEN", DEFAULT_TOKEN, "CI_TOKEN", CI_TOKEN));
  }

  @AfterAll
  static void stop() {
    if (ferry != null) {
      ferry.stop();
    }
  }

  @BeforeEach
  void listenToTheAudit() {
    audit.start();
    ((Logger) LoggerFactory.getLogger(AdminCommandRegistry.class)).addAppender(audit);
  }

  @AfterEach
  void stopListening() {
    ((Logger) LoggerFactory.getLogger(AdminCommandRegistry.class)).detachAppender(audit);
  }

  static HttpResponse<String> post(String command, String token, String... args) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ferry.adminHttp().port() + "/api/"
        + command)).timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + token)
        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("args", List.of(args))))).build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  /** The ids of bob's sessions (the admin HTTP connection asking is a session too, of its own user). */
  static List<String> bobSessionIds(String token) throws Exception {
    HttpResponse<String> response = post("sessions", token);
    assertEquals(200, response.statusCode(), response.body());
    List<String> ids = new java.util.ArrayList<>();
    JSON.readTree(response.body()).get("data").forEach(s -> {
      if (s.get("user").asText().equals("bob")) {
        ids.add(s.get("id").asText());
      }
    });
    return ids;
  }

  /** A logged-in SSH session of bob's. */
  ClientSession bobLoggedIn() throws Exception {
    return ssh.login("bob", ferry.sftp().port(), bobKey);
  }

  List<String> auditLines() {
    return audit.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
  }

  @Test
  void readOnlyToken_readsButChangeRefused403_namingCommandAndRole_sessionStays() throws Exception {
    try (ClientSession bob = bobLoggedIn(); SftpClient sftp = SftpClientFactory.instance().createSftpClient(bob)) {
      List<String> ids = bobSessionIds(CI_TOKEN);
      assertEquals(1, ids.size(), ids.toString());

      HttpResponse<String> refused = post("disconnect", CI_TOKEN, ids.get(0));

      assertEquals(403, refused.statusCode(), refused.body());
      JsonNode error = JSON.readTree(refused.body());
      assertFalse(error.get("ok").asBoolean());
      assertEquals("REFUSED", error.get("status").asText());
      String message = error.get("error").asText();
      assertTrue(message.contains("'disconnect'") && message.contains("read-only") && message.contains("ci"),
          message);
      assertEquals(ids, bobSessionIds(CI_TOKEN), "the session is still logged in");
      assertTrue(bob.isOpen());
      sftp.canonicalPath(".");
      assertTrue(auditLines().stream().anyMatch(l -> l.startsWith("admin token:ci via http: disconnect")
          && l.contains("REFUSED")), auditLines().toString());
    }
  }

  @Test
  void hashedAdminToken_changes_auditNamesTheToken() throws Exception {
    try (ClientSession bob = bobLoggedIn()) {
      String id = bobSessionIds(OPS_TOKEN).get(0);

      HttpResponse<String> done = post("disconnect", OPS_TOKEN, id);

      assertEquals(200, done.statusCode(), done.body());
      assertEquals(List.of(), bobSessionIds(DEFAULT_TOKEN));
      assertTrue(auditLines().contains("admin token:ops via http: disconnect [" + id + "] -> OK"),
          auditLines().toString());
      assertTrue(auditLines().stream().noneMatch(l -> l.contains(OPS_TOKEN) || l.contains(CI_TOKEN)
          || l.contains(DEFAULT_TOKEN)), "no token value in the audit: " + auditLines());
    }
  }

  @Test
  void singleTokenKey_isAnAdminToken_andTheHashIsNoToken() throws Exception {
    assertEquals(200, post("sessions", DEFAULT_TOKEN).statusCode());
    assertEquals(404, post("disconnect", DEFAULT_TOKEN, "no-such-session").statusCode(), "past authorization");
    HttpResponse<String> hash = post("sessions", HexFormat.of().formatHex(AdminTokens.sha256(OPS_TOKEN)));
    assertEquals(401, hash.statusCode(), hash.body());
  }
}
