package dev.ferry.server.nodes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.core.testing.Await;
import dev.ferry.core.testing.PostgresTestServer;
import dev.ferry.core.testing.S3TestServer;
import dev.ferry.core.user.PasswordHasher;
import dev.ferry.server.EmbeddedFerry;
import dev.ferry.server.SshTestClient;
import dev.ferry.server.console.HeadlessChromium;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClientFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console on two nodes (their own processes) sharing one PostgreSQL state store, in a real
 * headless Chromium: signed in on one node is signed in on the other (the cookie is the same for
 * both ports of 127.0.0.1, as behind a balancer), and signed out on both; each node's Sessions page
 * lists the other node's SFTP sessions with their node and open file, and a disconnect asked on one
 * node is carried out by the node that has the session; a dead node's sessions are not listed.
 */
class ConsoleNodesIT {

  @RegisterExtension
  static final S3TestServer s3 = new S3TestServer();

  @RegisterExtension
  static final PostgresTestServer postgres = new PostgresTestServer();

  @RegisterExtension
  static final SshTestClient ssh = new SshTestClient();

  private static final String PASSWORD = "console-nodes-Pa55";
  private static final String HASH = PasswordHasher.hash(PASSWORD.toCharArray());
  private static final String TOKEN = "console-nodes-token-0123456789";
  private static final Duration LEASE = Duration.ofSeconds(3);
  private static final Pattern ADMIN_PORT = Pattern.compile("admin HTTP API on http://[0-9.]+:(\\d+)");

  @TempDir
  static Path dir;

  static String bucket;
  static String database;
  static FerryNode one;
  static FerryNode two;
  static HttpClient http;

  WebDriver browser;
  WebDriverWait wait;

  @BeforeAll
  static void start() throws IOException {
    bucket = s3.createBucket();
    database = postgres.newDatabase();
    one = node("node-a");
    two = node("node-b");
    http = HttpClient.newHttpClient();
  }

  @AfterAll
  static void stop() throws InterruptedException {
    for (FerryNode node : new FerryNode[] {one, two}) {
      if (node != null) {
        node.close();
      }
    }
  }

  @BeforeEach
  void openBrowser() {
    browser = HeadlessChromium.start();
    wait = HeadlessChromium.waitFor(browser);
  }

  @AfterEach
  void closeBrowser() {
    if (browser != null) {
      browser.quit();
    }
  }

  static FerryNode node(String name) throws IOException {
    return FerryNode.start(name, dir.resolve(name), FerryNode.config(dir.resolve(name).resolve("data"), s3,
        FerryNode.sharedStore(database, name, LEASE) + EmbeddedFerry.adminHttp(TOKEN) + """
        users:
          - name: ops
            passwordHash: "%s"
            home: s3://%s/ops/
            admin: true
          - name: alice
            passwordHash: "%s"
            home: s3://%s/alice/
            permissions: [all]
        """.formatted(HASH, bucket, HASH, bucket)));
  }

  static String base(FerryNode node) {
    Matcher port = ADMIN_PORT.matcher(node.logText());
    assertTrue(port.find(), node.logText());
    return "http://127.0.0.1:" + port.group(1);
  }

  static ClientSession alice(FerryNode node) throws IOException {
    return ssh.login("alice", node.sftpPort, PASSWORD);
  }

  @Test
  void sessionsAcrossNodes_signedInOnBoth_otherNodesSessionListedAndDisconnected() throws Exception {
    try (ClientSession session = alice(two); SftpClient sftp = SftpClientFactory.instance().createSftpClient(session)) {
      OutputStream upload = sftp.write("across.bin");
      upload.write(new byte[300_000]);
      upload.flush();

      browser.get(base(one) + "/console/");
      HeadlessChromium.signIn(browser, wait, "ops", PASSWORD);
      wait.until(ExpectedConditions.textToBe(By.id("node"), "node node-a"));

      // The other node knows the sign-in: no second login, the same user, that node's name.
      browser.get(base(two) + "/console/sessions");
      wait.until(ExpectedConditions.textToBe(By.id("node"), "node node-b"));
      assertEquals("ops", browser.findElement(By.id("signed-in-as")).getText());
      assertEquals(base(two) + "/console/sessions", browser.getCurrentUrl());
      HeadlessChromium.screenshot(browser, "20-node-b-signed-in-from-node-a");

      browser.get(base(one) + "/console/sessions");
      By alicesRow = By.cssSelector("tr.session[data-user='alice'][data-node='node-b']");
      wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(
          "tr.session[data-user='alice'][data-node='node-b'] .transfer[data-direction='upload'][data-path='/across.bin']")));
      HeadlessChromium.screenshot(browser, "21-sessions-of-both-nodes");

      wait.until(page -> {
        page.findElement(alicesRow).findElement(By.tagName("button")).click();
        return true;
      });
      Await.until(session::isClosed, Duration.ofSeconds(30), "alice's session on node-b to be closed by node-b");
      wait.until(ExpectedConditions.invisibilityOfElementLocated(alicesRow));
      assertTrue(two.logText().contains("disconnected by administrator ops") || two.logText().contains("asked by ops"),
          "node-b's log says who asked");
    }

    // Signed out on one node: signed out on both.
    browser.get(base(two) + "/console/");
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".signout button"))).click();
    wait.until(ExpectedConditions.urlToBe(base(two) + "/console/login"));
    browser.get(base(one) + "/console/sessions");
    wait.until(ExpectedConditions.urlToBe(base(one) + "/console/login"));
  }

  @Test
  void deadNode_itsSessionsNotListed_andItsSessionCannotBeDisconnected() throws Exception {
    String id;
    try (FerryNode doomed = node("node-doomed")) {
      ClientSession session = alice(doomed);
      id = awaitSessionListedOn(one, "node-doomed");
      doomed.kill();
      session.close(true);
    }
    // The dead node published its row and never removed it: only its silent heartbeat hides it.
    Await.until(() -> !api(one, "/api/sessions").body().contains(id), LEASE.multipliedBy(10),
        "the dead node's session to leave the list");
    HttpResponse<String> refused = api(one, "/api/disconnect?arg=" + id);
    assertEquals(404, refused.statusCode(), refused.body());
    assertTrue(refused.body().contains("no session '" + id + "' logged in on any live node"), refused.body());
  }

  /** Waits until {@code node}'s sessions command lists a session of {@code owner}; its id. */
  private static String awaitSessionListedOn(FerryNode node, String owner) {
    String[] id = new String[1];
    Await.until(() -> {
      for (JsonNode session : json(api(node, "/api/sessions")).get("data")) {
        if (session.get("node").asText().equals(owner)) {
          id[0] = session.get("id").asText();
          return true;
        }
      }
      return false;
    }, Duration.ofSeconds(30), owner + "'s session to be listed on " + node.name);
    return id[0];
  }

  private static JsonNode json(HttpResponse<String> response) {
    assertEquals(200, response.statusCode(), response.body());
    try {
      return new ObjectMapper().readTree(response.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static HttpResponse<String> api(FerryNode node, String pathAndQuery) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create(base(node) + pathAndQuery))
          .header("Authorization", "Bearer " + TOKEN).GET().build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
