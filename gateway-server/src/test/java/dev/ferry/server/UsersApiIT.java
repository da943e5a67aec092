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
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClientFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Users kept as data through /api/v1/users, with real clients against a whole Ferry and a real
 * S3-API server: a user made by the API logs in at once over FTPS (lftp, password) and SFTP
 * (OpenSSH, key) into its home; a change names the version it read; a removed key and a deleted
 * user are refused at the next login, and the deleted user's open session is closed; the activity
 * log names who did each. Bad input is refused naming the field, and changes nothing.
 */
class UsersApiIT {

  static final String TOKEN = "users-api-admin-token-0123456789";
  static final String READ_TOKEN = "users-api-read-token-0123456789";
  static final String PASSWORD = "bob-Pa55word-long";
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient http = HttpClient.newHttpClient();

  @RegisterExtension
  static final S3TestServer s3 = new S3TestServer();

  @RegisterExtension
  static final SshTestClient ssh = new SshTestClient();

  @TempDir
  static Path dir;

  static FerryServer ferry;
  static String bucket;
  static OpenSshSftp bobOpenSsh;
  static final KeyPair opsKey = ed25519();

  record Answer(int status, JsonNode body, HttpResponse<String> response) {}

  @BeforeAll
  static void start() throws Exception {
    bucket = s3.createBucket();
    bobOpenSsh = OpenSshSftp.withNewKey(Files.createDirectories(dir.resolve("bob-key")));
    String yaml = EmbeddedFerry.loopbackConfig(dir.resolve("data"), s3) + """
        login:
          failureDelay: 100ms
          maxFailures: 100
        admin:
          http:
            bindAddress: 127.0.0.1
            port: 0
            token: %s
            tokens:
              - name: monitor
                token: %s
                role: read-only
        users:
          - name: alice
            passwordHash: "%s"
            home: s3://%s/alice/
          - name: ops
            home: s3://%s/ops/
            admin: true
            publicKeys: ["%s"]
        """.formatted(TOKEN, READ_TOKEN, PasswordHasher.hash("alice-Pa55word".toCharArray()), bucket, bucket,
        PublicKeyEntry.toString(opsKey.getPublic()));
    ferry = EmbeddedFerry.start(dir, yaml, Map.of());
  }

  @AfterAll
  static void stop() {
    if (ferry != null) {
      ferry.stop();
    }
  }

  @Test
  void userMadeByTheApi_logsInAtOnce_changesNameTheirVersion_removedKeyAndDeletedUserRefused() throws Exception {
    ActivityFile activity = ActivityFile.fromNow();
    int ftps = ferry.ftps().port();
    int sftp = ferry.sftp().port();

    Answer created = call("POST", "", TOKEN, Map.of("name", "bob", "password", PASSWORD,
        "home", "s3://" + bucket + "/partners/bob/", "permissions", List.of("all"),
        "keys", List.of(bobOpenSsh.publicKey)));

    assertEquals(201, created.status(), created.body().toString());
    assertEquals("/api/v1/users/bob", created.response().headers().firstValue("Location").orElse(""));
    assertEquals("\"1\"", created.response().headers().firstValue("ETag").orElse(""));
    assertEquals("store", created.body().get("source").asText());
    assertEquals("token:default", created.body().get("createdBy").asText());
    assertFalse(created.body().toString().contains(PASSWORD), "no password in the answer");
    assertFalse(created.body().toString().contains("$2y$"), "no hash in the answer");
    String fingerprint = created.body().get("keys").get(0).get("fingerprint").asText();
    assertTrue(fingerprint.startsWith("SHA256:"), fingerprint);

    new Lftp(ftps, "bob", PASSWORD).run("put " + write("hello.txt", "hello from lftp") + " -o hello.txt");
    bobOpenSsh.batch(sftp, "bob", "put " + write("key.txt", "hello from sftp") + " key.txt");
    assertEquals("hello from lftp", new String(s3.read(bucket, "partners/bob/hello.txt"), StandardCharsets.UTF_8));
    assertEquals("hello from sftp", new String(s3.read(bucket, "partners/bob/key.txt"), StandardCharsets.UTF_8));

    List<String> names = new ArrayList<>();
    call("GET", "", READ_TOKEN, null).body().get("users").forEach(u -> names.add(u.get("name").asText()
        + ":" + u.get("source").asText()));
    assertEquals(List.of("alice:config", "ops:config", "bob:store"), names, "declared users and kept ones, one list");

    Answer narrowed = call("PATCH", "/bob", TOKEN, Map.of("permissions", List.of("list", "read")), "\"1\"");
    assertEquals(200, narrowed.status(), narrowed.body().toString());
    assertEquals(2, narrowed.body().get("version").asInt());
    Answer stale = call("PATCH", "/bob", TOKEN, Map.of("permissions", List.of("all")), "\"1\"");
    assertEquals(412, stale.status(), stale.body().toString());
    assertTrue(stale.body().get("error").asText().contains("version 2"), stale.body().toString());
    assertEquals(List.of("list", "read"), strings(call("GET", "/bob", READ_TOKEN, null).body().get("permissions")),
        "the stale change changed nothing");
    String refusedPut = new Lftp(ftps, "bob", PASSWORD).refused("put " + write("later.txt", "x") + " -o later.txt");
    assertTrue(refusedPut.contains("550") || refusedPut.toLowerCase().contains("denied"), refusedPut);

    Answer keyRemoved = call("DELETE", "/bob/keys/" + URLEncoder.encode(fingerprint, StandardCharsets.UTF_8),
        TOKEN, null);
    assertEquals(204, keyRemoved.status(), keyRemoved.response().body());
    bobOpenSsh.refusedBatch(sftp, "bob", "ls");

    try (ClientSession held = ssh.login("bob", sftp, PASSWORD);
         SftpClient files = SftpClientFactory.instance().createSftpClient(held)) {
      assertTrue(files.stat("/hello.txt").isRegularFile());
      Answer deleted = call("DELETE", "/bob", TOKEN, null);
      assertEquals(204, deleted.status(), deleted.response().body());
      Await.until(() -> !held.isOpen(), Duration.ofSeconds(10), "bob's open SFTP session to be closed");
    }
    new Lftp(ftps, "bob", PASSWORD).refused("ls");
    assertEquals(404, call("GET", "/bob", TOKEN, null).status());

    for (String kind : List.of("USER_CREATED", "USER_UPDATED", "KEY_REMOVED", "USER_DELETED")) {
      Await.until(() -> activity.lines().stream().filter(is(kind, null))
          .anyMatch(l -> "bob".equals(l.path("user").asText()) && "token:default".equals(l.path("by").asText())),
          Duration.ofSeconds(10), kind + " line naming bob and the token");
    }
    assertTrue(activity.lines().stream().noneMatch(l -> l.toString().contains(PASSWORD) || l.toString().contains("$2y$")),
        "no password or hash in the activity log");
  }

  @Test
  void badInput_refusedNamingTheField_nothingChanged() throws Exception {
    String home = "s3://" + bucket + "/carol/";
    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(1024);
    KeyPair weak = rsa.generateKeyPair();
    KeyPairGenerator dsa = KeyPairGenerator.getInstance("DSA");
    dsa.initialize(1024);
    KeyPair dsaKey = dsa.generateKeyPair();
    Map<String, Map<String, Object>> refused = Map.of(
        "password:", Map.of("name", "carol", "password", "short", "home", home),
        "name:", Map.of("name", "car\nol", "password", PASSWORD, "home", home),
        "keys[0]: is an RSA key of 1024 bits", Map.of("name", "carol", "home", home,
            "keys", List.of(PublicKeyEntry.toString(weak.getPublic()))),
        "keys[0]: must start with a key type", Map.of("name", "carol", "home", home,
            "keys", List.of(PublicKeyEntry.toString(dsaKey.getPublic()))),
        "home: must look like s3://bucket/prefix/", Map.of("name", "carol", "password", PASSWORD, "home", "/carol"),
        "home: bucket no-such-bucket-here does not exist", Map.of("name", "carol", "password", PASSWORD,
            "home", "s3://no-such-bucket-here/carol/"),
        "permissions: unknown permission 'fly'", Map.of("name", "carol", "password", PASSWORD, "home", home,
            "permissions", List.of("read", "fly")),
        "colour: unknown field", Map.of("name", "carol", "password", PASSWORD, "home", home, "colour", "blue"));
    for (Map.Entry<String, Map<String, Object>> bad : refused.entrySet()) {
      Answer answer = call("POST", "", TOKEN, bad.getValue());
      assertEquals(400, answer.status(), bad.getKey() + ": " + answer.body());
      assertTrue(answer.body().get("error").asText().contains(bad.getKey()), bad.getKey() + ": " + answer.body());
    }
    Answer longName = call("POST", "", TOKEN, Map.of("name", "c".repeat(65), "password", PASSWORD, "home", home));
    assertEquals(400, longName.status(), longName.body().toString());
    Answer declared = call("POST", "", TOKEN, Map.of("name", "alice", "password", PASSWORD, "home", home));
    assertEquals(409, declared.status(), declared.body().toString());
    assertTrue(declared.body().get("error").asText().contains("ferry.yaml"), declared.body().toString());
    Answer readOnly = call("POST", "", READ_TOKEN, Map.of("name", "carol", "password", PASSWORD, "home", home));
    assertEquals(403, readOnly.status(), readOnly.body().toString());
    Answer notJson = raw("POST", "", TOKEN, "{name: carol", null);
    assertEquals(400, notJson.status(), notJson.response().body());

    assertEquals(201, call("POST", "", TOKEN, Map.of("name", "carol", "password", PASSWORD, "home", home)).status());
    Answer again = call("POST", "", TOKEN, Map.of("name", "carol", "password", PASSWORD + "2", "home", home));
    assertEquals(409, again.status(), again.body().toString());
    assertEquals(1, call("GET", "/carol", TOKEN, null).body().get("version").asInt(), "the duplicate changed nothing");
    assertEquals(405, call("PUT", "", TOKEN, Map.of()).status());
    assertEquals(204, call("DELETE", "/carol", TOKEN, null).status());
    assertEquals(List.of("alice", "ops"), userNames(), "nothing else was made");
  }

  /**
   * Virtual folders of a user kept as data: given to the API as in ferry.yaml, shown back, in force
   * at the next login (a read-only library listed and read, a drop box written, each refusing what
   * its permissions do not grant), and gone when cleared; bad folders refused naming the field.
   */
  @Test
  void foldersOfAUserKeptAsData_inForceAtTheNextLogin_badOnesRefusedNamingTheField() throws Exception {
    String library = s3.createBucket();
    s3.put(library, "published/guide.txt", "the guide".getBytes(StandardCharsets.UTF_8));
    String home = "s3://" + bucket + "/dave/";
    Map<String, Object> libraryFolder = Map.of("path", "/library", "target", "s3://" + library + "/published/");
    Map<String, Object> outbox = Map.of("path", "/outbox", "target", "s3://" + bucket + "/drop/dave/",
        "permissions", List.of("write"), "quota", Map.of("bytes", "1MiB"));
    Map<String, Map<String, Object>> refused = Map.of(
        "folders[0].path: must be one level under the home's root", Map.of("path", "/a/b", "target", "s3://"
            + library + "/x/"),
        "folders[0].target: overlaps the user's home", Map.of("path", "/mine", "target", home + "sub/"),
        "folders[0].target: bucket no-such-bucket-here does not exist", Map.of("path", "/x", "target",
            "s3://no-such-bucket-here/x/"),
        "folders[0].storage: names no storage: 'archive' is not in storages: (known: s3)", Map.of("path", "/x",
            "target", "s3://" + library + "/x/", "storage", "archive"),
        "folders[0].colour: unknown field", Map.of("path", "/x", "target", "s3://" + library + "/x/", "colour", "blue"));
    for (Map.Entry<String, Map<String, Object>> bad : refused.entrySet()) {
      Answer answer = call("POST", "", TOKEN, Map.of("name", "dave", "password", PASSWORD, "home", home,
          "folders", List.of(bad.getValue())));
      assertEquals(400, answer.status(), bad.getKey() + ": " + answer.body());
      assertTrue(answer.body().get("error").asText().contains(bad.getKey()), bad.getKey() + ": " + answer.body());
    }
    assertEquals(404, call("GET", "/dave", TOKEN, null).status(), "nothing was made");

    Answer created = call("POST", "", TOKEN, Map.of("name", "dave", "password", PASSWORD, "home", home,
        "permissions", List.of("all"), "folders", List.of(libraryFolder, outbox)));
    assertEquals(201, created.status(), created.body().toString());
    JsonNode folders = call("GET", "/dave", READ_TOKEN, null).body().get("folders");
    assertEquals("/library", folders.get(0).get("path").asText(), folders.toString());
    assertEquals(List.of("list", "read"), strings(folders.get(0).get("permissions")), folders.toString());
    assertEquals("s3://" + bucket + "/drop/dave/", folders.get(1).get("target").asText(), folders.toString());
    assertEquals(1 << 20, folders.get(1).path("quota").path("bytes").asLong(), folders.toString());

    Lftp lftp = new Lftp(ferry.ftps().port(), "dave", PASSWORD);
    String listing = lftp.output("cls -1 /");
    assertTrue(listing.contains("library") && listing.contains("outbox"), listing);
    lftp.run("get /library/guide.txt -o " + dir.resolve("guide.txt") + "; put " + write("report.csv", "a,b")
        + " -o /outbox/report.csv");
    assertEquals("the guide", Files.readString(dir.resolve("guide.txt")));
    assertEquals("a,b", new String(s3.read(bucket, "drop/dave/report.csv"), StandardCharsets.UTF_8));
    String upload = lftp.refused("put " + write("nope.txt", "x") + " -o /library/nope.txt");
    assertTrue(upload.contains("550"), upload);
    assertEquals(List.of("published/guide.txt"), s3.keys(library, ""));

    Answer overlapping = call("PATCH", "/dave", TOKEN, Map.of("home", "s3://" + bucket + "/drop/"));
    assertEquals(400, overlapping.status(), overlapping.body().toString());
    assertTrue(overlapping.body().get("error").asText().contains("home: overlaps the target of folder /outbox"),
        overlapping.body().toString());
    Answer cleared = call("PATCH", "/dave", TOKEN, Map.of("folders", List.of()));
    assertEquals(200, cleared.status(), cleared.body().toString());
    assertEquals(0, cleared.body().get("folders").size(), cleared.body().toString());
    assertFalse(lftp.output("cls -1 /").contains("library"), "no folder after they are cleared");
    assertEquals(204, call("DELETE", "/dave", TOKEN, null).status());
  }

  /**
   * The same operations over SSH exec, through the one command registry: a user added with a
   * generated password (shown once, never an argument) logs in with it; a key added logs in; the
   * permissions narrowed refuse an upload; a stale version changes nothing; deleted, it is refused.
   */
  @Test
  void userCommandsOverSshExec_addSetKeyDelete() throws Exception {
    int ftps = ferry.ftps().port();
    OpenSshSftp erinOpenSsh = OpenSshSftp.withNewKey(Files.createDirectories(dir.resolve("erin-key")));
    try (ClientSession ops = ssh.login("ops", ferry.sftp().port(), opsKey)) {
      SshExec added = SshExec.run(ops, "user add erin --home s3://" + bucket + "/erin/ --permissions all"
          + " --generate-password", Duration.ofSeconds(30));
      assertEquals(0, added.status(), added.err());
      String password = added.out().lines().filter(l -> l.startsWith("password (shown once): ")).findFirst()
          .orElseThrow(() -> new AssertionError(added.out())).substring("password (shown once): ".length());
      assertEquals(20, password.length(), added.out());
      new Lftp(ftps, "erin", password).run("put " + write("erin.txt", "from erin") + " -o erin.txt");
      assertEquals("from erin", new String(s3.read(bucket, "erin/erin.txt"), StandardCharsets.UTF_8));

      SshExec keyAdded = SshExec.run(ops, "user key add erin '" + erinOpenSsh.publicKey + "'", Duration.ofSeconds(30));
      assertEquals(0, keyAdded.status(), keyAdded.err());
      erinOpenSsh.batch(ferry.sftp().port(), "erin", "ls");

      SshExec stale = SshExec.run(ops, "user set erin --permissions list,read --version 1", Duration.ofSeconds(30));
      assertEquals(6, stale.status(), "412's exit status: " + stale.out() + stale.err());
      SshExec narrowed = SshExec.run(ops, "user set erin --permissions list,read --version 2", Duration.ofSeconds(30));
      assertEquals(0, narrowed.status(), narrowed.err());
      new Lftp(ftps, "erin", password).refused("put " + write("later.txt", "x") + " -o later.txt");

      SshExec passwordArgument = SshExec.run(ops, "user set erin --password secret", Duration.ofSeconds(30));
      assertEquals(2, passwordArgument.status(), "no password as an argument: " + passwordArgument.err());

      SshExec deleted = SshExec.run(ops, "user delete erin", Duration.ofSeconds(30));
      assertEquals(0, deleted.status(), deleted.err());
      new Lftp(ftps, "erin", password).refused("ls");
      erinOpenSsh.refusedBatch(ferry.sftp().port(), "erin", "ls");
    }
  }

  private static KeyPair ed25519() {
    try {
      return org.apache.sshd.common.config.keys.KeyUtils.generateKeyPair(
          org.apache.sshd.common.keyprovider.KeyPairProvider.SSH_ED25519, 256);
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<String> userNames() throws Exception {
    List<String> names = new ArrayList<>();
    call("GET", "", TOKEN, null).body().get("users").forEach(u -> names.add(u.get("name").asText()));
    return names;
  }

  private static List<String> strings(JsonNode array) {
    List<String> list = new ArrayList<>();
    array.forEach(item -> list.add(item.asText()));
    return list;
  }

  private static String write(String name, String text) throws Exception {
    Path file = dir.resolve(name);
    Files.writeString(file, text);
    return file.toString();
  }

  static Answer call(String method, String path, String token, Object body) throws Exception {
    return call(method, path, token, body, null);
  }

  static Answer call(String method, String path, String token, Object body, String ifMatch) throws Exception {
    return raw(method, path, token, body == null ? null : JSON.writeValueAsString(body), ifMatch);
  }

  static Answer raw(String method, String path, String token, String body, String ifMatch) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ferry.adminHttp().port()
        + "/api/v1/users" + path)).timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + token)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    if (ifMatch != null) {
      request.header("If-Match", ifMatch);
    }
    HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    JsonNode json = response.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(response.body());
    return new Answer(response.statusCode(), json, response);
  }
}
