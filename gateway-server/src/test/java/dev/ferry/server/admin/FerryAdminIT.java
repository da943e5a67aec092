package dev.ferry.server.admin;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.core.testing.Await;
import dev.ferry.core.testing.OpenSshServer;
import dev.ferry.core.testing.S3TestServer;
import dev.ferry.server.EmbeddedFerry;
import dev.ferry.server.FerryServer;
import dev.ferry.server.SshExec;
import dev.ferry.server.SshTestClient;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.Random;
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
 * The whole Ferry (FerryServer from a YAML config) with a real OpenSSH remote and a real S3-API
 * server: admin commands over the HTTP API (with and without the token) and over SSH exec (admin
 * and non-admin users), ending in a byte-exact transfer.
 */
class FerryAdminIT {

  static final String TOKEN = "test-token-0123456789abcdef";
  static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension
  static final S3TestServer s3 = new S3TestServer();

  @RegisterExtension
  static final SshTestClient ssh = new SshTestClient();

  @TempDir
  static Path dir;

  static OpenSshServer sshd;
  static FerryServer ferry;
  static String bucket;
  static Path remote;
  static KeyPair adminKey;
  static KeyPair bobKey;
  static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    sshd = new OpenSshServer(dir.resolve("sshd"));
    bucket = s3.createBucket();
    remote = Files.createDirectories(dir.resolve("remote"));
    adminKey = KeyUtils.generateKeyPair(KeyPairProvider.SSH_ED25519, 256);
    bobKey = KeyUtils.generateKeyPair(KeyPairProvider.SSH_ED25519, 256);
    String yaml = EmbeddedFerry.loopbackConfig(dir.resolve("data"), s3) + EmbeddedFerry.remote("local", sshd, remote)
        + """
        jobs:
          workers: 2
          retryBackoff: 100ms
          freeSpaceRecheck: 200ms
        syncs:
          - name: inbox
            source: local:%s/inbox
            target: s3://%s/inbox/
            every: 1h
        admin:
          http:
            bindAddress: 127.0.0.1
            port: 0
            token: ${ADMIN_TOKEN}
        users:
          - name: admin
            home: s3://%s/admin/
            permissions: [all]
            admin: true
            publicKeys: ["%s"]
          - name: bob
            home: s3://%s/bob/
            publicKeys: ["%s"]
        """.formatted(remote, bucket, bucket, PublicKeyEntry.toString(adminKey.getPublic()), bucket,
        PublicKeyEntry.toString(bobKey.getPublic()));
    ferry = EmbeddedFerry.start(dir, yaml, Map.of("ADMIN_TOKEN", TOKEN));
  }

  @AfterAll
  static void stop() {
    if (ferry != null) {
      ferry.stop();
    }
    if (sshd != null) {
      sshd.close();
    }
  }

  static HttpResponse<String> call(String method, String path, String body, String token) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ferry.adminHttp().port()
        + path)).timeout(Duration.ofSeconds(60));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  static SshExec exec(String user, KeyPair key, String command) throws IOException {
    try (ClientSession session = ssh.login(user, ferry.sftp().port(), key)) {
      return SshExec.run(session, command, Duration.ofSeconds(60));
    }
  }

  static JsonNode awaitJobOverHttp(String id) throws Exception {
    Await.until(() -> finalOverHttp(id), Duration.ofSeconds(60), "job " + id + " to end (over HTTP)");
    return JSON.readTree(call("GET", "/api/job?arg=" + id, null, TOKEN).body()).get("data");
  }

  /** The state of the job resource at {@code location} (/api/v1/jobs/ID). */
  private static String stateAt(String location) {
    try {
      return JSON.readTree(call("GET", location, null, TOKEN).body()).get("state").asText();
    } catch (Exception e) {
      throw new AssertionError("reading " + location + " failed", e);
    }
  }

  private static boolean finalOverHttp(String id) {
    try {
      String state = JSON.readTree(call("GET", "/api/job?arg=" + id, null, TOKEN).body()).get("data").get("state")
          .asText();
      return state.equals("DONE") || state.equals("FAILED") || state.equals("CANCELLED");
    } catch (Exception e) {
      throw new AssertionError("reading job " + id + " over HTTP failed", e);
    }
  }

  static byte[] object(String key, int size) {
    byte[] data = new byte[size];
    new Random(size).nextBytes(data);
    s3.put(bucket, key, data);
    return data;
  }

  /** Until the job has ended, as the store says. */
  static void awaitEnd(String id) {
    Await.until(() -> {
      try {
        return ferry.jobs().find(id).orElseThrow().state().isFinal();
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }, Duration.ofSeconds(60), "job " + id + " to end");
  }

  @Test
  void http_health_answersWithoutToken() throws Exception {
    HttpResponse<String> response = call("GET", "/health", null, null);
    assertEquals(200, response.statusCode());
    assertTrue(response.body().contains("\"up\""));
  }

  @Test
  void http_missingOrWrongToken_unauthorized() throws Exception {
    assertEquals(401, call("GET", "/api/jobs", null, null).statusCode());
    assertEquals(401, call("GET", "/api/jobs", null, TOKEN + "x").statusCode());
    assertEquals(401, call("POST", "/api/transfer", "{\"args\":[\"a/b\",\"local:/x\"]}", "nope").statusCode());
  }

  /**
   * Before, wrong tokens were neither logged nor limited: any number of guesses at full speed. Now
   * each is a failed login of its address (delayed, counted, logged), and the fifth bans it.
   */
  @Test
  void http_wrongTokens_countAsFailedLogins_andBanTheAddress() throws Exception {
    String guesser = "127.0.0.7";
    for (int i = 0; i < 5; i++) {
      String refused = rawGet(guesser, "/api/jobs", "guess-" + i);
      assertTrue(refused.startsWith("HTTP/1.1 401"), refused);
    }
    String banned = rawGet(guesser, "/api/jobs", TOKEN);
    assertTrue(banned.startsWith("HTTP/1.1 403"), "even the right token is refused while banned: " + banned);
    assertTrue(banned.contains("is banned"), banned);
    assertEquals(200, call("GET", "/api/jobs", null, TOKEN).statusCode(), "other addresses are not affected");
  }

  /** One GET over a socket bound to {@code from} (java.net.http cannot choose its local address). */
  static String rawGet(String from, String path, String token) throws IOException {
    try (java.net.Socket socket = new java.net.Socket()) {
      socket.bind(new java.net.InetSocketAddress(from, 0));
      socket.connect(new java.net.InetSocketAddress("127.0.0.1", ferry.adminHttp().port()), 10_000);
      socket.setSoTimeout(30_000);
      socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
          + token + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
    }
  }

  /** The same through the versioned resources: POST /api/v1/transfers, then the job at its Location. */
  @Test
  void restTransfer_202WithLocation_jobResourceReachesDone_bytesArrive() throws Exception {
    byte[] data = object("rest/one.bin", 1024 * 1024 + 3);
    Path target = remote.resolve("rest one.bin");
    HttpResponse<String> created = call("POST", "/api/v1/transfers", JSON.writeValueAsString(Map.of(
        "source", "s3://" + bucket + "/rest/one.bin", "target", "local:" + target, "parts", 2)), TOKEN);
    assertEquals(202, created.statusCode(), created.body());
    String location = created.headers().firstValue("Location").orElseThrow();
    assertEquals("/api/v1/jobs/" + JSON.readTree(created.body()).get("id").asText(), location);
    Await.until(() -> Set.of("DONE", "FAILED", "CANCELLED").contains(stateAt(location)), Duration.ofSeconds(60),
        "the job at " + location + " to end");
    assertEquals("DONE", JSON.readTree(call("GET", location, null, TOKEN).body()).get("state").asText());
    assertArrayEquals(data, Files.readAllBytes(target));
    assertTrue(call("GET", "/api/v1/jobs?state=done", null, TOKEN).body().contains(location.substring(13)),
        "listed among the done jobs");
  }

  @Test
  void http_transfer_thenJobReportsDoneAndBytesArrive() throws Exception {
    byte[] data = object("http/one.bin", 2 * 1024 * 1024 + 7);
    Path target = remote.resolve("http one.bin");
    String body = JSON.writeValueAsString(Map.of("args", new String[] {"s3://" + bucket + "/http/one.bin",
        "local:" + target, "--parts", "3", "--mode", "relay"}));
    HttpResponse<String> created = call("POST", "/api/transfer", body, TOKEN);
    assertEquals(200, created.statusCode(), created.body());
    String id = JSON.readTree(created.body()).get("data").get("id").asText();
    JsonNode job = awaitJobOverHttp(id);
    assertEquals("DONE", job.get("state").asText(), job.toString());
    assertArrayEquals(data, Files.readAllBytes(target));
    JsonNode list = JSON.readTree(call("GET", "/api/jobs?arg=done", null, TOKEN).body());
    assertTrue(list.get("data").toString().contains(id));
  }

  @Test
  void http_badRequests_clearErrorsAndNoJob() throws Exception {
    object("http/exists.bin", 10);
    int before = JSON.readTree(call("GET", "/api/jobs", null, TOKEN).body()).get("data").size();
    HttpResponse<String> unknown = call("POST", "/api/frobnicate", null, TOKEN);
    assertEquals(404, unknown.statusCode());
    assertTrue(unknown.body().contains("unknown command 'frobnicate'"), unknown.body());
    HttpResponse<String> missing = call("POST", "/api/transfer", "{\"args\":[\"" + bucket + "/http/nope.bin\",\"local:"
        + remote.resolve("n.bin") + "\"]}", TOKEN);
    assertEquals(404, missing.statusCode());
    assertTrue(missing.body().contains("no such object"), missing.body());
    HttpResponse<String> host = call("POST", "/api/transfer", "{\"args\":[\"" + bucket + "/http/exists.bin\",\"mars:"
        + remote.resolve("n.bin") + "\"]}", TOKEN);
    assertEquals(400, host.statusCode());
    assertTrue(host.body().contains("unknown host 'mars'"), host.body());
    HttpResponse<String> parts = call("POST", "/api/transfer", "{\"args\":[\"" + bucket + "/http/exists.bin\",\"local:"
        + remote.resolve("n.bin") + "\",\"--parts\",\"many\"]}", TOKEN);
    assertEquals(400, parts.statusCode());
    assertTrue(parts.body().contains("--parts"), parts.body());
    assertEquals(before, JSON.readTree(call("GET", "/api/jobs", null, TOKEN).body()).get("data").size());
    assertFalse(Files.exists(remote.resolve("n.bin")));
  }

  @Test
  void ssh_adminTransferThenJob_textAndJson() throws Exception {
    byte[] data = object("ssh/two.bin", 1024 * 1024 + 3);
    Path target = remote.resolve("ssh two's.bin");
    SshExec created = exec("admin", adminKey, "transfer " + bucket + "/ssh/two.bin 'local:" + target.toString()
        .replace("'", "'\\''") + "' --parts 4");
    assertEquals(0, created.status(), created.err());
    String id = created.out().strip();
    awaitEnd(id);
    SshExec job = exec("admin", adminKey, "job " + id + " --json");
    assertEquals("DONE", JSON.readTree(job.out()).get("data").get("state").asText(), job.out());
    assertArrayEquals(data, Files.readAllBytes(target));
    SshExec text = exec("admin", adminKey, "job " + id);
    assertTrue(text.out().contains("state:       DONE"), text.out());
    SshExec newest = exec("admin", adminKey, "jobs --limit 1 --json");
    assertEquals(id, JSON.readTree(newest.out()).get("data").get(0).get("id").asText(), "newest first: " + newest.out());
    SshExec page = exec("admin", adminKey, "jobs --limit 1");
    assertTrue(page.out().contains("more: jobs --limit 1 --before " + id), page.out());
    SshExec counts = exec("admin", adminKey, "jobs --counts --json");
    assertTrue(JSON.readTree(counts.out()).get("data").get("DONE").asLong() >= 1, counts.out());
    SshExec badLimit = exec("admin", adminKey, "jobs --limit 0");
    assertTrue(badLimit.status() != 0 && badLimit.err().contains("--limit must be a whole number from 1 to 10000"),
        badLimit.err());
    SshExec badCursor = exec("admin", adminKey, "jobs --before nosuchjob");
    assertTrue(badCursor.status() != 0 && badCursor.err().contains("no job 'nosuchjob' to page from"), badCursor.err());
    SshExec hosts = exec("admin", adminKey, "hosts");
    assertTrue(hosts.out().startsWith("local  " + sshd.user + "@127.0.0.1:" + sshd.port), hosts.out());
    SshExec df = exec("admin", adminKey, "df local:" + remote + " --json");
    assertEquals(0, df.status(), df.err());
    assertTrue(JSON.readTree(df.out()).get("data").get("totalBytes").asLong() > 0);
  }

  /**
   * stat tells S3 tools outside Ferry what they no longer find in the object's metadata: the
   * SHA-256 of an upload and the time its client set, from the catalog; nothing for an object
   * another tool wrote; a clear error for one that does not exist.
   */
  @Test
  void stat_uploadedThroughSftp_sha256AndClientTimeOverSshAndHttp() throws Exception {
    byte[] data = new byte[300_001];
    new Random(7).nextBytes(data);
    Instant time = Instant.parse("2016-06-16T16:16:16Z");
    try (ClientSession session = ssh.login("admin", ferry.sftp().port(), adminKey)) {
      try (SftpClient sftp = SftpClientFactory.instance().createSftpClient(session)) {
        try (OutputStream out = sftp.write("stat-me.bin")) {
          out.write(data);
        }
        sftp.setStat("stat-me.bin", new SftpClient.Attributes().modifyTime(FileTime.from(time)));
      }
    }

    SshExec json = exec("admin", adminKey, "stat s3://" + bucket + "/admin/stat-me.bin --json");
    assertEquals(0, json.status(), json.err());
    JsonNode facts = JSON.readTree(json.out()).get("data");
    assertEquals(S3TestServer.sha256Hex(data), facts.get("sha256").asText());
    assertEquals(time.toString(), facts.get("clientTime").asText());
    assertEquals(data.length, facts.get("size").asLong());
    assertEquals("catalog", facts.get("factsFrom").asText());
    SshExec text = exec("admin", adminKey, "stat " + bucket + "/admin/stat-me.bin");
    assertTrue(text.out().contains("sha256        " + S3TestServer.sha256Hex(data)), text.out());

    HttpResponse<String> overHttp = call("GET", "/api/stat?arg=" + bucket + "/admin/stat-me.bin", null, TOKEN);
    assertEquals(200, overHttp.statusCode(), overHttp.body());
    assertEquals(S3TestServer.sha256Hex(data), JSON.readTree(overHttp.body()).get("data").get("sha256").asText());

    object("foreign/other.bin", 1234);
    JsonNode foreign = JSON.readTree(exec("admin", adminKey, "stat " + bucket + "/foreign/other.bin --json").out())
        .get("data");
    assertEquals("none", foreign.get("factsFrom").asText());
    assertTrue(foreign.get("sha256").isNull(), foreign.toString());

    SshExec missing = exec("admin", adminKey, "stat " + bucket + "/no/such.bin");
    assertTrue(missing.status() != 0, "exit status for a missing object");
    assertTrue(missing.err().contains("no such object s3://" + bucket + "/no/such.bin"), missing.err());
    SshExec bad = exec("admin", adminKey, "stat just-a-bucket");
    assertTrue(bad.err().contains("must be s3://bucket/key"), bad.err());
  }

  @Test
  void ssh_errors_exitStatusAndMessage() throws Exception {
    SshExec unknown = exec("admin", adminKey, "frobnicate");
    assertEquals(4, unknown.status());
    assertTrue(unknown.err().contains("unknown command 'frobnicate'"), unknown.err());
    SshExec noJob = exec("admin", adminKey, "cancel 000000000000");
    assertEquals(4, noJob.status());
    assertTrue(noJob.err().contains("no job '000000000000'"), noJob.err());
  }

  @Test
  void sync_runOverSshThenSyncsOverHttp_copiesTheFolderAndShowsTheRun() throws Exception {
    Path inbox = Files.createDirectories(remote.resolve("inbox/nested"));
    Files.writeString(inbox.resolve("order 1.csv"), "id,qty\n1,5\n");
    byte[] data = new byte[300_000];
    new Random(3).nextBytes(data);
    Files.write(remote.resolve("inbox/data.bin"), data);

    SshExec started = exec("admin", adminKey, "sync run inbox");
    assertEquals(0, started.status(), started.err());
    String id = started.out().strip();
    JsonNode job = awaitJobOverHttp(id);
    assertEquals("DONE", job.get("state").asText(), job.toString());
    assertEquals(2, job.get("counts").get("copied").asInt(), job.toString());
    assertArrayEquals(data, s3.read(bucket, "inbox/data.bin"));
    assertEquals("id,qty\n1,5\n", new String(s3.read(bucket, "inbox/nested/order 1.csv"), StandardCharsets.UTF_8));

    SshExec text = exec("admin", adminKey, "syncs");
    assertEquals(0, text.status(), text.err());
    assertTrue(text.out().contains("inbox  local:" + remote + "/inbox -> s3://" + bucket + "/inbox/"), text.out());
    assertTrue(text.out().contains("last run:  " + id + " DONE"), text.out());
    JsonNode syncs = JSON.readTree(call("GET", "/api/syncs", null, TOKEN).body()).get("data");
    assertEquals(id, syncs.get(0).get("lastRun").get("id").asText(), syncs.toString());
    assertEquals(2, syncs.get(0).get("lastRun").get("counts").get("copied").asInt(), syncs.toString());

    SshExec again = exec("admin", adminKey, "sync run inbox");
    JsonNode second = awaitJobOverHttp(again.out().strip());
    assertEquals(2, second.get("counts").get("unchanged").asInt(), "nothing changed: " + second);
    assertEquals(0, second.get("counts").get("copied").asInt(), second.toString());
  }

  @Test
  void sync_badArguments_exitStatusAndMessage() throws Exception {
    SshExec unknown = exec("admin", adminKey, "sync run nope");
    assertEquals(4, unknown.status());
    assertTrue(unknown.err().contains("no sync 'nope' (configured: inbox)"), unknown.err());
    SshExec wrongVerb = exec("admin", adminKey, "sync start inbox");
    assertEquals(2, wrongVerb.status());
    assertTrue(wrongVerb.err().contains("unknown sub-command 'start'"), wrongVerb.err());
    SshExec relative = exec("admin", adminKey, "sync run local:relative/dir s3://" + bucket + "/x/");
    assertEquals(2, relative.status());
    assertTrue(relative.err().contains("remote directory 'relative/dir' must be absolute"), relative.err());
    HttpResponse<String> outside = call("POST", "/api/sync", "{\"args\":[\"run\",\"local:/etc\",\"s3://" + bucket
        + "/x/\"]}", TOKEN);
    assertEquals(400, outside.statusCode(), outside.body());
    assertTrue(outside.body().contains("outside the roots allowed on local"), outside.body());
  }

  @Test
  void ssh_nonAdmin_refusedClearly() throws Exception {
    SshExec refused = exec("bob", bobKey, "jobs");
    assertEquals(1, refused.status());
    assertTrue(refused.err().contains("SFTP only"), refused.err());
    assertTrue(refused.err().contains("admin role, which user 'bob' does not have"), refused.err());
  }

  @Test
  void ssh_push_oneJobPerObjectKeepingRelativePaths() throws Exception {
    byte[] top = object("tree/top.bin", 1000);
    byte[] nested = object("tree/a/b c.bin", 300_000);
    byte[] empty = object("tree/a/empty.bin", 0);
    Path into = remote.resolve("pushed");
    SshExec pushed = exec("admin", adminKey, "push s3://" + bucket + "/tree/ local:" + into + " --parts 2 --json");
    assertEquals(0, pushed.status(), pushed.err());
    JsonNode created = JSON.readTree(pushed.out()).get("data");
    assertEquals(3, created.size(), pushed.out());
    for (JsonNode job : created) {
      String id = job.get("id").asText();
      awaitEnd(id);
      assertEquals("DONE", ferry.jobs().find(id).orElseThrow().state().name(), ferry.jobs().find(id).toString());
    }
    assertArrayEquals(top, Files.readAllBytes(into.resolve("top.bin")));
    assertArrayEquals(nested, Files.readAllBytes(into.resolve("a/b c.bin")));
    assertArrayEquals(empty, Files.readAllBytes(into.resolve("a/empty.bin")));
    SshExec nothing = exec("admin", adminKey, "push " + bucket + "/no-such-prefix/ local:" + into);
    assertEquals(4, nothing.status());
    assertTrue(nothing.err().contains("no objects under"), nothing.err());
    SshExec unknownHost = exec("admin", adminKey, "push s3://no-such-bucket-" + bucket + "/x/ nohost:/data");
    assertEquals(2, unknownHost.status(), "the host is checked before S3 is listed: " + unknownHost.err());
    assertTrue(unknownHost.err().contains("unknown host 'nohost'"), unknownHost.err());
    SshExec noBucket = exec("admin", adminKey, "push s3://no-such-bucket-" + bucket + "/x/ local:" + into);
    assertEquals(4, noBucket.status(), noBucket.err());
    assertTrue(noBucket.err().contains("no-such-bucket-" + bucket), noBucket.err());
  }
}
