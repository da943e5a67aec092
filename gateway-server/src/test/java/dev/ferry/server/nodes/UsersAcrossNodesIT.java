package dev.ferry.server.nodes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.core.testing.Await;
import dev.ferry.core.testing.PostgresTestServer;
import dev.ferry.core.testing.S3TestServer;
import dev.ferry.server.SshTestClient;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClientFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Users kept as data on two node processes sharing a real PostgreSQL, each with its admin API: a
 * user made through node 1 logs in on node 2 at once; a key removed through node 2 is refused on
 * node 1; a user deleted through node 1 loses its open session on node 2 within node 2's sweep
 * (a third of the lease), and the upload that session had open leaves no object.
 */
class UsersAcrossNodesIT {

  @RegisterExtension
  static final S3TestServer s3 = new S3TestServer();

  @RegisterExtension
  static final PostgresTestServer postgres = new PostgresTestServer();

  @RegisterExtension
  static final SshTestClient ssh = new SshTestClient();

  private static final String TOKEN = "users-across-nodes-token-0123456789";
  private static final String PASSWORD = "partner-Pa55word";
  private static final Duration LEASE = Duration.ofSeconds(3);
  private static final Pattern ADMIN = Pattern.compile("admin HTTP API on http://[0-9.]+:(\\d+)");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient http = HttpClient.newHttpClient();

  @TempDir
  static Path dir;

  static String bucket;
  static FerryNode one;
  static FerryNode two;

  @BeforeAll
  static void start() throws IOException, java.security.GeneralSecurityException {
    bucket = s3.createBucket();
    String database = postgres.newDatabase();
    one = node("node-1", database);
    two = node("node-2", database);
  }

  @AfterAll
  static void stop() throws InterruptedException {
    for (FerryNode node : new FerryNode[] {one, two}) {
      if (node != null) {
        node.close();
      }
    }
  }

  static FerryNode node(String name, String database) throws IOException, java.security.GeneralSecurityException {
    return FerryNode.start(name, dir.resolve(name), FerryNode.config(dir.resolve(name).resolve("data"), s3,
        FerryNode.sharedStore(database, name, LEASE) + """
        admin:
          http:
            bindAddress: 127.0.0.1
            port: 0
            token: %s
        shutdown:
          grace: 2s
        users:
          - name: declared
            home: s3://%s/declared/
            publicKeys: ["%s"]
        """.formatted(TOKEN, bucket, PublicKeyEntry.toString(
            KeyUtils.generateKeyPair(KeyPairProvider.SSH_ED25519, 256).getPublic()))));
  }

  @Test
  void madeOnOne_logsInOnTwo_keyRemovedOnTwo_refusedOnOne_deletedOnOne_sessionOnTwoClosedUploadLeavesNothing()
      throws Exception {
    KeyPair key = KeyUtils.generateKeyPair(KeyPairProvider.SSH_ED25519, 256);
    Instant asked = Instant.now();
    JsonNode created = api(one, "POST", "", Map.of("name", "frank", "password", PASSWORD,
        "home", "s3://" + bucket + "/frank/", "permissions", List.of("all"),
        "keys", List.of(PublicKeyEntry.toString(key.getPublic()))), 201);
    Await.until(() -> canLogIn(two, "frank", key), Duration.ofSeconds(5), "frank's key login on node 2");
    assertTrue(Duration.between(asked, Instant.now()).toMillis() < 5000);
    login(two, "frank", PASSWORD).close();

    String fingerprint = created.get("keys").get(0).get("fingerprint").asText();
    api(two, "DELETE", "/frank/keys/" + URLEncoder.encode(fingerprint, StandardCharsets.UTF_8), null, 204);
    assertTrue(!canLogIn(one, "frank", key), "the key removed through node 2 is refused on node 1");
    login(one, "frank", PASSWORD).close();

    SftpClient held = login(two, "frank", PASSWORD);
    OutputStream upload = held.write("/unfinished.bin");
    upload.write(new byte[64 * 1024]);
    upload.flush();
    api(one, "DELETE", "/frank", null, 204);

    Await.until(() -> !held.getClientSession().isOpen(), LEASE.multipliedBy(3),
        "node 2 to close the deleted user's session within a sweep");
    assertThrows(IOException.class, () -> login(two, "frank", PASSWORD).close());
    assertThrows(IOException.class, () -> login(one, "frank", PASSWORD).close());
    Await.until(() -> s3.keys(bucket, "frank/").isEmpty() && s3.multipartUploads(bucket).isEmpty(),
        Duration.ofSeconds(10), "the cut upload to leave no object and no multipart upload");
    assertTrue(two.logText().contains("user frank is deleted: session"), "node 2 says why it closed it");
    assertEquals(404, status(two, "GET", "/frank", null));
  }

  static boolean canLogIn(FerryNode node, String user, KeyPair key) {
    try (ClientSession session = ssh.login(user, node.sftpPort, key)) {
      return session.isAuthenticated();
    } catch (IOException refused) {
      return false;
    }
  }

  static SftpClient login(FerryNode node, String user, String password) throws IOException {
    ClientSession session = ssh.login(user, node.sftpPort, password);
    try {
      return SftpClientFactory.instance().createSftpClient(session).singleSessionInstance();
    } catch (IOException | RuntimeException e) {
      session.close(true);
      throw e;
    }
  }

  static JsonNode api(FerryNode node, String method, String path, Object body, int expected) throws Exception {
    HttpResponse<String> response = send(node, method, path, body);
    assertEquals(expected, response.statusCode(), method + " " + path + " on " + node.name + ": " + response.body());
    return response.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(response.body());
  }

  static int status(FerryNode node, String method, String path, Object body) throws Exception {
    return send(node, method, path, body).statusCode();
  }

  private static HttpResponse<String> send(FerryNode node, String method, String path, Object body) throws Exception {
    Matcher port = ADMIN.matcher(node.logText());
    assertTrue(port.find(), "node " + node.name + " names its admin port");
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port.group(1) + "/api/v1/users"
        + path)).timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + TOKEN)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }
}
