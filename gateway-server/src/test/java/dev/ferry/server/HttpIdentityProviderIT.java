package dev.ferry.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.ferry.core.testing.S3TestServer;
import dev.ferry.core.user.LoginGuard;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * auth.http with a real HTTP server on loopback as the identity provider, and real clients: lftp
 * logs in by password and OpenSSH's sftp by key as a user only the provider knows, into the home it
 * answers; the provider is told the name, the credential, the protocol and the client's address; a
 * yes is cached (a second login does not ask), a 401 refuses; a provider that fails or is too slow
 * refuses the login with a log line naming it, and such refusals do not ban the client's address.
 */
class HttpIdentityProviderIT {

  static final String PASSWORD = "pat-Pa55word-long";
  static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension
  static final S3TestServer s3 = new S3TestServer();

  @TempDir
  static Path dir;

  static HttpServer provider;
  static FerryServer ferry;
  static String bucket;
  static OpenSshSftp patKey;
  static final List<JsonNode> asked = new CopyOnWriteArrayList<>();
  /** ok: answers by the credentials; down: 503; slow: holds the answer until {@link #slowAnswers} is released. */
  static final AtomicReference<String> mode = new AtomicReference<>("ok");
  /** Counted down once the test has seen Ferry give up on a slow answer (or after 30 s, whichever comes first). */
  static final java.util.concurrent.CountDownLatch slowAnswers = new java.util.concurrent.CountDownLatch(1);

  @BeforeAll
  static void start() throws Exception {
    bucket = s3.createBucket();
    patKey = OpenSshSftp.withNewKey(Files.createDirectories(dir.resolve("pat-key")));
    provider = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    provider.createContext("/auth", HttpIdentityProviderIT::answer);
    provider.setExecutor(java.util.concurrent.Executors.newCachedThreadPool()); // a slow answer holds up no other
    provider.start();
    ferry = EmbeddedFerry.start(dir, EmbeddedFerry.loopbackConfig(dir.resolve("data"), s3) + """
        login:
          failureDelay: 50ms
          maxFailures: 3
        auth:
          http:
            url: http://127.0.0.1:%d/auth
            timeout: 1s
            cacheFor: 1m
        """.formatted(provider.getAddress().getPort()), Map.of());
  }

  @AfterAll
  static void stop() {
    if (ferry != null) {
      ferry.stop();
    }
    if (provider != null) {
      provider.stop(0);
    }
  }

  static void answer(HttpExchange exchange) throws IOException {
    JsonNode request = JSON.readTree(exchange.getRequestBody());
    asked.add(request);
    String name = request.path("username").asText();
    boolean right = request.has("password") ? PASSWORD.equals(request.get("password").asText())
        : patKey.publicKey.startsWith(request.path("publicKey").asText());
    String policy = switch (name) {
      case "far" -> ",\"allowFrom\":[\"192.0.2.0/24\"]";
      case "capped" -> ",\"quota\":{\"bytes\":\"1KiB\"},\"bandwidth\":{\"up\":\"1MiB/s\"}";
      case "garbled" -> ",\"quota\":{\"bytes\":\"plenty\"}";
      case "shared" -> ",\"folders\":[{\"path\":\"/library\",\"target\":\"s3://" + bucket + "/library/\"}]";
      case "crossed" -> ",\"folders\":[{\"path\":\"/mine\",\"target\":\"s3://" + bucket + "/partners/crossed/x/\"}]";
      default -> "";
    };
    String body = "{\"home\":\"s3://" + bucket + "/partners/" + name + "/\",\"permissions\":[\"all\"]" + policy + "}";
    switch (mode.get()) {
      case "down" -> reply(exchange, 503, "{\"error\":\"maintenance\"}");
      case "slow" -> {
        try {
          slowAnswers.await(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        reply(exchange, 200, body);
      }
      default -> reply(exchange, right ? 200 : 401, right ? body : "{}");
    }
  }

  static void reply(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
    exchange.close();
  }

  @Test
  void passwordAndKeyLogins_decidedByTheProvider_cached_refusedOn401() throws Exception {
    mode.set("ok");
    asked.clear();
    new Lftp(ferry.ftps().port(), "pat", PASSWORD).run("put " + write("p.txt", "by password") + " -o p.txt");
    assertEquals("by password", new String(s3.read(bucket, "partners/pat/p.txt"), StandardCharsets.UTF_8));
    JsonNode first = asked.get(0);
    assertEquals("pat", first.get("username").asText());
    assertEquals(PASSWORD, first.get("password").asText());
    assertEquals("FTPS", first.get("protocol").asText());
    assertEquals("127.0.0.1", first.get("clientIp").asText());
    int askedBefore = asked.size();
    new Lftp(ferry.ftps().port(), "pat", PASSWORD).run("ls");
    assertEquals(askedBefore, asked.size(), "a yes is cached for cacheFor");

    patKey.batch(ferry.sftp().port(), "pat", "put " + write("k.txt", "by key") + " k.txt");
    assertEquals("by key", new String(s3.read(bucket, "partners/pat/k.txt"), StandardCharsets.UTF_8));
    JsonNode byKey = asked.stream().filter(a -> a.has("publicKey")).findFirst().orElseThrow();
    assertEquals("SFTP", byKey.get("protocol").asText());
    assertTrue(patKey.publicKey.startsWith(byKey.get("publicKey").asText()), byKey.toString());

    new Lftp(ferry.ftps().port(), "pat", "not-" + PASSWORD).refused("ls");
    assertFalse(asked.get(asked.size() - 1).path("password").asText().isEmpty(), "the wrong one was asked about");
  }

  @Test
  void providerDownOrSlow_loginRefusedWithALogLine_addressNotBanned() throws Exception {
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    lines.start();
    Logger guard = (Logger) LoggerFactory.getLogger(LoginGuard.class);
    guard.addAppender(lines);
    try {
      mode.set("down");
      for (int i = 0; i < 4; i++) { // more than login.maxFailures
        new Lftp(ferry.ftps().port(), "quinn", PASSWORD).refused("ls");
      }
      mode.set("slow");
      new Lftp(ferry.ftps().port(), "quinn", PASSWORD).refused("ls"); // Ferry's 1 s timeout ends it
      slowAnswers.countDown();
      assertTrue(lines.list.stream().anyMatch(l -> l.getFormattedMessage().contains("answered 503")),
          "a line names the provider's answer");
      assertTrue(lines.list.stream().anyMatch(l -> l.getFormattedMessage().contains("did not answer")),
          "a line says the provider did not answer in time");
      assertFalse(ferry.gateway().loginGuard().isBanned("127.0.0.1"), "the provider's failures are not the client's");

      mode.set("ok");
      new Lftp(ferry.ftps().port(), "quinn", PASSWORD).run("ls");
    } finally {
      slowAnswers.countDown();
      guard.detachAppender(lines);
      mode.set("ok");
    }
  }

  /**
   * The provider may answer the users API's policy fields too: a user it limits to other networks
   * is refused here as a wrong password would be, a quota it gives is enforced (552), and a field
   * Ferry cannot read refuses the login naming it rather than admit the user without it.
   */
  @Test
  void policyInTheProvidersAnswer_allowFromAndQuota_inForce() throws Exception {
    mode.set("ok");
    new Lftp(ferry.ftps().port(), "far", PASSWORD).refused("ls");
    String refused = new Lftp(ferry.ftps().port(), "capped", PASSWORD).refused("put " + write("big.txt",
        "x".repeat(2048)) + " -o big.txt");
    assertTrue(refused.contains("552") && refused.contains("quota of 1024 bytes"), refused);
    new Lftp(ferry.ftps().port(), "capped", PASSWORD).run("put " + write("small.txt", "fits") + " -o small.txt");
    assertEquals("fits", new String(s3.read(bucket, "partners/capped/small.txt"), StandardCharsets.UTF_8));
    new Lftp(ferry.ftps().port(), "garbled", PASSWORD).refused("ls");
  }

  /**
   * Folders in the provider's answer are in force as the users API's are: a read-only library listed
   * and read, an upload into it refused; a folder over the user's own home refuses the login.
   */
  @Test
  void foldersInTheProvidersAnswer_inForce_aBadOneRefusesTheLogin() throws Exception {
    mode.set("ok");
    s3.put(bucket, "library/guide.txt", "the guide".getBytes(StandardCharsets.UTF_8));
    Lftp shared = new Lftp(ferry.ftps().port(), "shared", PASSWORD);

    shared.run("get /library/guide.txt -o " + dir.resolve("guide.txt"));

    assertEquals("the guide", Files.readString(dir.resolve("guide.txt")));
    assertTrue(shared.refused("put " + write("nope.txt", "x") + " -o /library/nope.txt").contains("550"));
    assertEquals(List.of("library/guide.txt"), s3.keys(bucket, "library/"));
    new Lftp(ferry.ftps().port(), "crossed", PASSWORD).refused("ls");
  }

  private static String write(String name, String text) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, text);
    return file.toString();
  }
}
