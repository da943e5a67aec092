package dev.ferry.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.ferry.core.config.ConfigException;
import dev.ferry.core.event.FileEvent;
import dev.ferry.core.event.Origin;
import dev.ferry.core.testing.Await;
import dev.ferry.core.testing.S3TestServer;
import dev.ferry.core.user.PasswordHasher;
import dev.ferry.jobs.engine.JobRecord;
import dev.ferry.jobs.engine.JobState;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Workflows in a whole Ferry: a real OpenSSH sftp upload sets off a workflow job whose steps copy the
 * file, notify a real HTTP receiver on loopback (signed, retried after a 503) and move it.
 */
class WorkflowsIT {

  private static final String SECRET = "a-webhook-secret-of-32-characters";
  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension
  static final S3TestServer s3 = new S3TestServer();

  @TempDir
  Path dir;

  HttpServer receiver;
  final List<Map<String, String>> deliveries = new CopyOnWriteArrayList<>();
  final AtomicInteger refuseFirst = new AtomicInteger();

  /** The receiver answers 503 to the first {@link #refuseFirst} POSTs, then 204; it records every one. */
  @BeforeEach
  void startReceiver() throws IOException {
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext("/hook", exchange -> {
      byte[] body = exchange.getRequestBody().readAllBytes();
      deliveries.add(Map.of("body", new String(body, StandardCharsets.UTF_8),
          "signature", String.valueOf(exchange.getRequestHeaders().getFirst("X-Ferry-Signature")),
          "expected", "sha256=" + hmac(body),
          "eventId", String.valueOf(exchange.getRequestHeaders().getFirst("X-Ferry-Event-Id"))));
      int status = refuseFirst.getAndDecrement() > 0 ? 503 : 204;
      exchange.sendResponseHeaders(status, -1);
      exchange.close();
    });
    receiver.start();
  }

  @AfterEach
  void stopReceiver() {
    receiver.stop(0);
  }

  static String hmac(byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(body));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static final String PASSWORD = "partner-Pa55word";

  String preamble(String bucket, OpenSshSftp client) {
    return preamble(dir, s3, bucket, client);
  }

  /**
   * Ferry on loopback, quick job retries (at most two attempts), and the partner who logs in with
   * the client's key (OpenSSH sftp) or {@link #PASSWORD} (lftp).
   */
  static String preamble(Path dir, S3TestServer s3, String bucket, OpenSshSftp client) {
    return EmbeddedFerry.loopbackConfig(dir.resolve("data"), s3) + """
        jobs:
          retryBackoff: 200ms
          maxAttempts: 2
        users:
          - name: partner
            home: s3://%s/partner/
            permissions: [all]
            passwordHash: "%s"
            publicKeys: ["%s"]
        """.formatted(bucket, PasswordHasher.hash(PASSWORD.toCharArray()), client.publicKey);
  }

  String yaml(String bucket, OpenSshSftp client) {
    return preamble(bucket, client) + """
        workflows:
          - name: archive-csv
            match:
              path: "/incoming/**.csv"
            steps:
              - copy: s3://%s/archive/
              - notify: http://127.0.0.1:%d/hook
                secret: %s
              - move: s3://%s/done/
        """.formatted(bucket, receiver.getAddress().getPort(), SECRET, bucket);
  }

  @Test
  void upload_matchingCsv_copiedNotifiedOnceSignedAfterA503ThenMoved() throws Exception {
    String bucket = s3.createBucket();
    OpenSshSftp client = OpenSshSftp.withNewKey(dir);
    FerryServer ferry = EmbeddedFerry.start(dir, yaml(bucket, client), Map.of());
    List<FileEvent> changes = new CopyOnWriteArrayList<>();
    ferry.events().subscribe("test", e -> {
      if (e instanceof FileEvent f && f.origin().kind() == Origin.Kind.WORKFLOW) {
        changes.add(f);
      }
    });
    refuseFirst.set(1);
    try {
      byte[] csv = "id,amount\n1,20\n".getBytes(StandardCharsets.UTF_8);
      Path local = Files.write(dir.resolve("a.csv"), csv);
      Path other = Files.write(dir.resolve("b.txt"), "not a csv\n".getBytes(StandardCharsets.UTF_8));
      client.batch(ferry.sftp().port(), "partner", "mkdir incoming", "put " + local + " incoming/a.csv",
          "put " + other + " incoming/b.txt");

      // The move's copy is visible before its delete: the job's end says the steps are all done.
      Await.until(() -> runs(ferry).size() == 1 && runs(ferry).get(0).state().isFinal(), "the workflow's job to end");
      assertArrayEquals(csv, s3.read(bucket, "done/partner/a.csv"));
      assertArrayEquals(csv, s3.read(bucket, "archive/partner/a.csv"));
      assertTrue(s3.find(bucket, "partner/incoming/a.csv").isEmpty(), "moved away");
      assertTrue(s3.find(bucket, "partner/incoming/b.txt").isPresent(), "not matched: left alone");
      assertTrue(s3.find(bucket, "archive/partner/b.txt").isEmpty());

      List<JobRecord> runs = runs(ferry);
      assertEquals(1, runs.size(), "one job per matching upload: " + runs);
      JobRecord run = runs.get(0);
      assertEquals(JobState.DONE, run.state(), String.valueOf(run.lastError()));
      assertEquals(2, run.attempts(), "the 503 was retried as a second attempt");
      assertEquals(3L, run.counts().get("stepsDone"));
      assertEquals(List.of(FileEvent.Type.COPIED, FileEvent.Type.RENAMED), changes.stream().map(FileEvent::type)
          .toList(), "the workflow's changes are published as the workflow's");
      assertEquals("archive/partner/a.csv", changes.get(0).object().key());
      assertEquals("partner/incoming/a.csv", changes.get(0).fromObject().key());
      assertEquals("done/partner/a.csv", changes.get(1).object().key());
      assertEquals("archive-csv", changes.get(1).origin().name());

      assertEquals(2, deliveries.size(), "the refused POST and the delivered one");
      assertEquals(deliveries.get(0).get("eventId"), deliveries.get(1).get("eventId"),
          "a repeat carries the same idempotency key");
      for (Map<String, String> delivery : deliveries) {
        assertEquals(delivery.get("expected"), delivery.get("signature"), "HMAC-SHA256 of the body");
      }
      JsonNode event = JSON.readTree(deliveries.get(1).get("body"));
      assertEquals(deliveries.get(1).get("eventId"), event.get("id").asText());
      assertEquals("UPLOADED", event.get("type").asText());
      assertEquals("archive-csv", event.get("workflow").asText());
      assertEquals("partner", event.get("user").asText());
      assertEquals("/incoming/a.csv", event.get("path").asText());
      assertEquals("s3://" + bucket + "/partner/incoming/a.csv", event.get("uploaded").asText());
      assertEquals(csv.length, event.get("size").asLong());
      assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(csv)),
          event.get("sha256").asText());
    } finally {
      ferry.stop();
    }
  }

  static List<JobRecord> runs(FerryServer ferry) {
    return runs(ferry, "archive-csv");
  }

  static List<JobRecord> runs(FerryServer ferry, String workflow) {
    try {
      return ferry.jobs().list(null).stream().filter(j -> j.spec().destination().equals("workflow " + workflow))
          .toList();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /**
   * Archives made by the real tools (tar, gzip, python's tarfile for the hostile one), uploaded by a
   * real sftp client, unpacked by the decompress step: every file exact; a corrupt .gz, a .gz past
   * the expansion ratio and an archive with a ../ entry fail with their reason and keep the
   * original, writing nothing outside.
   */
  @Test
  void decompress_tarGzGzCorruptAndZipSlip_filesExactOrRefusedWithTheReason() throws Exception {
    String bucket = s3.createBucket();
    OpenSshSftp client = OpenSshSftp.withNewKey(dir);
    String yaml = preamble(bucket, client) + """
        workflows:
          - name: unpack
            match:
              path: "/drop/*"
            steps:
              - decompress: s3://%s/unpacked/
        """.formatted(bucket);
    Path tree = Files.createDirectories(dir.resolve("tree/reports/2026"));
    byte[] big = new byte[3 << 20];
    new java.util.Random(7).nextBytes(big);
    Files.write(tree.resolve("big.bin"), big);
    Files.writeString(tree.resolve("résumé ✓ 東京.txt"), "unicode names survive\n");
    Files.writeString(dir.resolve("tree/top.csv"), "a,b\n1,2\n");
    Path tarGz = dir.resolve("data.tar.gz");
    OpenSshSftp.run(List.of("tar", "-czf", tarGz.toString(), "-C", dir.resolve("tree").toString(), "."));
    StringBuilder lines = new StringBuilder();
    java.util.Random random = new java.util.Random(11);
    for (int i = 0; i < 5_000; i++) {
      lines.append(i).append(',').append(random.nextLong()).append('\n');
    }
    Path log = Files.writeString(dir.resolve("log.txt"), lines);
    OpenSshSftp.run(List.of("gzip", "-k", log.toString()));
    // 50,000 bytes of one repeated line gzip to about 120: past the default maxRatio of 100.
    Path bomb = Files.writeString(dir.resolve("bomb.txt"), "line\n".repeat(10_000));
    OpenSshSftp.run(List.of("gzip", bomb.toString()));
    Path corrupt = Files.write(dir.resolve("bad.gz"), java.util.Arrays.copyOf(Files.readAllBytes(
        dir.resolve("log.txt.gz")), 40));
    Path slip = dir.resolve("slip.tar");
    OpenSshSftp.run(List.of("/usr/bin/python3", "-c", "import tarfile, io, sys\n"
        + "t = tarfile.open(sys.argv[1], 'w')\n"
        + "for name in ('fine.txt', '../escape.txt'):\n"
        + "    i = tarfile.TarInfo(name); i.size = 2; t.addfile(i, io.BytesIO(b'x\\n'))\n"
        + "t.close()", slip.toString()));

    FerryServer ferry = EmbeddedFerry.start(dir, yaml, Map.of());
    try {
      client.batch(ferry.sftp().port(), "partner", "mkdir drop", "put " + tarGz + " drop/data.tar.gz",
          "put " + dir.resolve("log.txt.gz") + " drop/log.txt.gz", "put " + corrupt + " drop/bad.gz",
          "put " + slip + " drop/slip.tar", "put " + dir.resolve("bomb.txt.gz") + " drop/bomb.txt.gz");
      Await.until(() -> runs(ferry, "unpack").size() == 5 && runs(ferry, "unpack").stream()
          .allMatch(j -> j.state().isFinal()), java.time.Duration.ofSeconds(120), "the five unpack jobs to end");

      assertArrayEquals(big, s3.read(bucket, "unpacked/partner/reports/2026/big.bin"));
      assertEquals("unicode names survive\n", new String(s3.read(bucket, "unpacked/partner/reports/2026/résumé ✓ 東京.txt"),
          StandardCharsets.UTF_8));
      assertEquals("a,b\n1,2\n", new String(s3.read(bucket, "unpacked/partner/top.csv"), StandardCharsets.UTF_8));
      assertArrayEquals(Files.readAllBytes(log), s3.read(bucket, "unpacked/partner/log.txt"));

      Map<String, JobRecord> byObject = new java.util.HashMap<>();
      runs(ferry, "unpack").forEach(j -> byObject.put(j.spec().source(), j));
      String drop = "s3://" + bucket + "/partner/drop/";
      assertEquals(JobState.DONE, byObject.get(drop + "data.tar.gz").state());
      assertEquals(JobState.DONE, byObject.get(drop + "log.txt.gz").state());
      JobRecord bad = byObject.get(drop + "bad.gz");
      assertEquals(JobState.FAILED, bad.state());
      assertTrue(bad.lastError().contains("not a whole archive"), bad.lastError());
      JobRecord slipped = byObject.get(drop + "slip.tar");
      assertEquals(JobState.FAILED, slipped.state());
      assertTrue(slipped.lastError().contains("'../escape.txt' would be written outside"), slipped.lastError());
      assertTrue(s3.find(bucket, "escape.txt").isEmpty() && s3.find(bucket, "unpacked/../escape.txt").isEmpty());
      JobRecord bombed = byObject.get(drop + "bomb.txt.gz");
      assertEquals(JobState.FAILED, bombed.state());
      assertTrue(bombed.lastError().contains("decompression bomb"), bombed.lastError());
      assertTrue(s3.find(bucket, "unpacked/partner/bomb.txt").isEmpty(), "nothing of the bomb is written");
      assertTrue(s3.find(bucket, "partner/drop/bad.gz").isPresent(), "the original is kept");
      assertTrue(s3.find(bucket, "partner/drop/slip.tar").isPresent(), "the original is kept");
      assertTrue(s3.multipartUploads(bucket).isEmpty(), "no multipart upload left");
    } finally {
      ferry.stop();
    }
  }

  @Test
  void config_badWorkflows_refusedNamingTheKey() throws Exception {
    String bucket = s3.createBucket();
    OpenSshSftp client = OpenSshSftp.withNewKey(dir);
    String good = yaml(bucket, client);
    Map<String, String> broken = Map.of(
        "steps:\n      - copy: s3://" + bucket + "/archive/", "steps:\n      - copy: " + bucket + "/archive/",
        "notify: http://127.0.0.1", "notify: ftp://127.0.0.1",
        "secret: " + SECRET, "secret: short",
        "path: \"/incoming/**.csv\"", "path: \"/incoming/{a\"",
        "      - move: s3://" + bucket + "/done/", "      - scan: true");
    Map<String, String> keys = Map.of(
        "steps:\n      - copy: s3://" + bucket + "/archive/", "workflows[0].steps[0].copy",
        "notify: http://127.0.0.1", "workflows[0].steps[1].notify",
        "secret: " + SECRET, "workflows[0].steps[1].secret",
        "path: \"/incoming/**.csv\"", "workflows[0].match.path",
        "      - move: s3://" + bucket + "/done/", "workflows[0].steps[2].scan");
    for (Map.Entry<String, String> change : broken.entrySet()) {
      assertTrue(good.contains(change.getKey()), change.getKey());
      String yaml = good.replace(change.getKey(), change.getValue());
      ConfigException e = assertThrows(ConfigException.class, () -> EmbeddedFerry.start(dir, yaml, Map.of()).stop());
      assertTrue(e.getMessage().contains(keys.get(change.getKey())), e.getMessage());
    }
  }
}
