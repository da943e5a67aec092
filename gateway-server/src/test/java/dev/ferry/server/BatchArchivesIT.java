package dev.ferry.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.ferry.core.config.ConfigException;
import dev.ferry.core.testing.Await;
import dev.ferry.core.testing.S3TestServer;
import dev.ferry.jobs.engine.JobRecord;
import dev.ferry.jobs.engine.JobState;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClientFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Batch archives in a whole Ferry: a folder's files become tar archives of at most maxBatchSize
 * with manifests whose every entry reads back with one ranged GET, while a file a real SFTP client
 * is overwriting waits for the next run; manifests go to a real HTTP {@code _bulk} receiver on
 * loopback (Elasticsearch and OpenSearch cannot be installed here), and those it refused are sent
 * by a later run, after a restart.
 */
class BatchArchivesIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long LIMIT = 64 << 10;

  @RegisterExtension
  static final S3TestServer s3 = new S3TestServer();

  @RegisterExtension
  static final SshTestClient ssh = new SshTestClient();

  @TempDir
  Path dir;

  KeyPair partnerKey;
  HttpServer index;
  final AtomicBoolean indexDown = new AtomicBoolean();
  final List<Map<String, Object>> bulkRequests = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws Exception {
    partnerKey = KeyUtils.generateKeyPair(KeyPairProvider.SSH_ED25519, 256);
    index = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    index.createContext("/_bulk", exchange -> {
      byte[] body = exchange.getRequestBody().readAllBytes();
      Map<String, Object> request = new HashMap<>();
      request.put("contentType", String.valueOf(exchange.getRequestHeaders().getFirst("Content-Type")));
      request.put("body", new String(body, StandardCharsets.UTF_8));
      request.put("refused", indexDown.get());
      bulkRequests.add(request);
      byte[] answer = indexDown.get() ? "{\"error\":\"cluster unavailable\"}".getBytes(StandardCharsets.UTF_8)
          : "{\"took\":3,\"errors\":false,\"items\":[]}".getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(indexDown.get() ? 503 : 200, answer.length);
      exchange.getResponseBody().write(answer);
      exchange.close();
    });
    index.start();
  }

  @AfterEach
  void stop() {
    index.stop(0);
  }

  String yaml(String bucket, String manifests, String batchOptions) {
    return EmbeddedFerry.loopbackConfig(dir.resolve("data"), s3) + """
        users:
          - name: partner
            admin: true
            permissions: [all]
            publicKeys: ["%s"]
            home: s3://%s/partner/
        jobs:
          maxAttempts: 2
          retryBackoff: 200ms
        batches:
          - name: outbox
            folder: s3://%s/partner/outbox/
            every: 1h
            maxBatchSize: 64KiB
            manifest: s3://%s/
        %s""".formatted(PublicKeyEntry.toString(partnerKey.getPublic()), bucket, bucket, manifests, batchOptions);
  }

  ClientSession login(FerryServer ferry) throws IOException {
    return ssh.login("partner", ferry.sftp().port(), partnerKey);
  }

  /** {@code batch run outbox} over SSH exec, as an operator runs it; returns the run's job id. */
  String startBatch(FerryServer ferry) throws Exception {
    SshExec exec;
    try (ClientSession session = login(ferry)) {
      exec = SshExec.run(session, "batch run outbox", Duration.ofSeconds(30));
    }
    assertEquals(0, exec.status(), exec.err());
    return exec.out().trim();
  }

  JobRecord runBatch(FerryServer ferry) throws Exception {
    return awaitEnd(ferry, startBatch(ferry));
  }

  static JobRecord awaitEnd(FerryServer ferry, String id) {
    Await.until(() -> find(ferry, id).state().isFinal(), Duration.ofSeconds(120), "batch job " + id + " to end");
    return find(ferry, id);
  }

  static JobRecord find(FerryServer ferry, String id) {
    try {
      return ferry.jobs().find(id).orElseThrow();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Every entry of every manifest the job wrote, by original key. */
  static Map<String, JsonNode> manifestEntries(String bucket, String jobId) throws IOException {
    Map<String, JsonNode> entries = new HashMap<>();
    for (String key : s3.keys(bucket, "outbox/" + jobId + "/")) {
      for (JsonNode entry : JSON.readTree(s3.read(bucket, key)).get("files")) {
        assertEquals(null, entries.put(entry.get("key").asText(), entry), "in two manifests: " + entry);
      }
    }
    return entries;
  }

  @Test
  void thousandFiles_archivesWithinTheLimitEachFileReadBackAtItsOffset_originalsGone_overwrittenFileWaits()
      throws Exception {
    String bucket = s3.createBucket();
    String manifests = s3.createBucket();
    Map<String, byte[]> originals = putOriginals(bucket);
    byte[] before = "the version before the overwrite\n".getBytes(StandardCharsets.UTF_8);
    s3.put(bucket, "partner/outbox/busy.csv", before);
    byte[] tooLarge = new byte[100 << 10];
    s3.put(bucket, "partner/outbox/too-large.bin", tooLarge);

    FerryServer ferry = EmbeddedFerry.start(dir, yaml(bucket, manifests, ""), Map.of());
    try (ClientSession session = login(ferry);
        SftpClient sftp = SftpClientFactory.instance().createSftpClient(session)) {
      byte[] after = "the overwrite, still being written\n".getBytes(StandardCharsets.UTF_8);
      JobRecord run;
      try (OutputStream overwrite = sftp.write("outbox/busy.csv")) {
        overwrite.write(after);
        overwrite.flush();
        run = runBatch(ferry);
        assertArrayEquals(before, s3.read(bucket, "partner/outbox/busy.csv"), "the overwrite is not committed yet");
      }
      assertEquals(JobState.DONE, run.state(), String.valueOf(run.lastError()));
      assertEquals(1000L, run.counts().get("files"));
      assertEquals(1L, run.counts().get("busy"), "the file being overwritten waits for the next run");
      assertEquals(1L, run.counts().get("tooLarge"), "a file larger than any archive stays");
      assertArrayEquals(tooLarge, s3.read(bucket, "partner/outbox/too-large.bin"));

      List<String> archives = new ArrayList<>();
      for (String key : s3.keys(bucket, "partner/outbox/")) {
        if (!key.equals("partner/outbox/busy.csv") && !key.equals("partner/outbox/too-large.bin")) {
          assertTrue(key.matches("partner/outbox/(2026/11/)?[0-9a-f-]{36}\\.tar"), "only archives are left: " + key);
          archives.add(key);
        }
      }
      assertTrue(archives.size() > 2, "several archives: " + archives);
      assertTrue(archives.stream().anyMatch(k -> k.startsWith("partner/outbox/2026/11/")), "the key layout kept");
      for (String archive : archives) {
        assertTrue(s3.read(bucket, archive).length <= LIMIT, archive + " is larger than maxBatchSize");
      }
      assertEquals(run.counts().get("archives"), (long) archives.size());

      assertEachReadsBackAtItsOffset(bucket, originals, manifestEntries(manifests, run.id()));

      // Committed once the client closed it: the next run takes it.
      assertArrayEquals(after, s3.read(bucket, "partner/outbox/busy.csv"));
      JobRecord next = runBatch(ferry);
      assertEquals(JobState.DONE, next.state(), String.valueOf(next.lastError()));
      JsonNode busy = manifestEntries(manifests, next.id()).get("s3://" + bucket + "/partner/outbox/busy.csv");
      assertEquals(S3TestServer.sha256Hex(after), busy.get("sha256").asText());
      assertTrue(s3.find(bucket, "partner/outbox/busy.csv").isEmpty());
      assertTrue(s3.multipartUploads(bucket).isEmpty(), "no multipart upload left");
    } finally {
      ferry.stop();
    }
  }

  /** 1,000 small files (a third in the folder, the rest in a subfolder), put with the test's S3 client. */
  static Map<String, byte[]> putOriginals(String bucket) {
    Map<String, byte[]> originals = new HashMap<>();
    Random random = new Random(17);
    for (int i = 0; i < 1000; i++) {
      byte[] data = new byte[1 + random.nextInt(400)];
      random.nextBytes(data);
      String key = "partner/outbox/" + (i % 3 == 0 ? "" : "2026/11/") + "file-" + i + ".csv";
      originals.put(key, data);
      s3.put(bucket, key, data);
    }
    return originals;
  }

  /**
   * Every original is in the manifests once, and one ranged GET of its archive at its offset gives
   * its bytes and SHA-256; its archive is in its directory.
   */
  static void assertEachReadsBackAtItsOffset(String bucket, Map<String, byte[]> originals,
      Map<String, JsonNode> entries) {
    assertEquals(originals.size(), entries.size());
    for (Map.Entry<String, byte[]> original : originals.entrySet()) {
      JsonNode entry = entries.get("s3://" + bucket + "/" + original.getKey());
      String archive = entry.get("archive").asText().substring(("s3://" + bucket + "/").length());
      long offset = entry.get("offset").asLong();
      long size = entry.get("size").asLong();
      byte[] read = s3.client().getObjectAsBytes(b -> b.bucket(bucket).key(archive)
          .range("bytes=" + offset + "-" + (offset + size - 1))).asByteArray();
      assertArrayEquals(original.getValue(), read, original.getKey());
      assertEquals(S3TestServer.sha256Hex(original.getValue()), entry.get("sha256").asText());
      assertEquals(directoryOf(original.getKey()), directoryOf(archive));
    }
  }

  /** Where an archive or an original is: its key up to the last '/'. */
  static String directoryOf(String key) {
    return key.substring(0, key.lastIndexOf('/') + 1);
  }

  /**
   * Ferry stopped in the middle of a run, with no grace for the archive being written (aborted as a
   * crash would leave it), then started again: the job goes on and every file ends up in exactly one
   * archive and one manifest, with no archive that no manifest names.
   */
  @Test
  void stoppedMidRun_restartedJobGoesOn_eachFileArchivedOnce() throws Exception {
    String bucket = s3.createBucket();
    String manifests = s3.createBucket();
    Map<String, byte[]> originals = putOriginals(bucket);
    String yaml = yaml(bucket, manifests, "").replace("maxBatchSize: 64KiB", "maxBatchSize: 8KiB")
        + "shutdown:\n  grace: 0s\n";
    FerryServer ferry = EmbeddedFerry.start(dir, yaml, Map.of());
    String id;
    try {
      id = startBatch(ferry);
      Await.until(() -> s3.keys(manifests, "outbox/" + id + "/").size() >= 3, "three archives committed");
    } finally {
      ferry.stop();
    }
    int before = s3.keys(manifests, "outbox/" + id + "/").size();
    assertTrue(s3.keys(bucket, "partner/outbox/").stream().anyMatch(k -> k.endsWith(".csv")), "stopped mid-run");

    FerryServer restarted = EmbeddedFerry.start(dir, yaml, Map.of());
    try {
      JobRecord run = awaitEnd(restarted, id);
      assertEquals(JobState.DONE, run.state(), String.valueOf(run.lastError()));
      assertEquals(2, run.attempts(), "the stopped attempt and the one after the restart");
    } finally {
      restarted.stop();
    }
    List<String> written = s3.keys(manifests, "outbox/" + id + "/");
    assertTrue(written.size() > before, "the restarted run went on");
    Map<String, JsonNode> entries = manifestEntries(manifests, id);
    assertEachReadsBackAtItsOffset(bucket, originals, entries);
    List<String> named = entries.values().stream().map(e -> e.get("archive").asText()).distinct().sorted().toList();
    List<String> archives = s3.keys(bucket, "partner/outbox/").stream().map(k -> "s3://" + bucket + "/" + k).sorted()
        .toList();
    assertEquals(named, archives, "only archives are left, each named by one manifest");
    assertEquals(written.size(), archives.size(), "one archive per manifest");
    assertTrue(s3.multipartUploads(bucket).isEmpty(), "no multipart upload left");
  }

  /**
   * minFiles: files that a real SFTP client uploads to the folder start a run long before the
   * schedule's (every: 1h), which archives them.
   */
  @Test
  void minFilesUploadedOverSftp_runStartsEarly_archivesThem() throws Exception {
    String bucket = s3.createBucket();
    String manifests = s3.createBucket();
    String token = "a-token-of-the-admin-api-for-batches";
    FerryServer ferry = EmbeddedFerry.start(dir, yaml(bucket, manifests, """
            minFiles: 5
        admin:
          http:
            enabled: true
            bindAddress: 127.0.0.1
            port: 0
            token: ${ADMIN_TOKEN}
        """).replace("maxBatchSize: 64KiB", "maxBatchSize: 8MiB"), Map.of("ADMIN_TOKEN", token));
    try (ClientSession session = login(ferry);
        SftpClient sftp = SftpClientFactory.instance().createSftpClient(session)) {
      sftp.mkdir("outbox");
      Map<String, byte[]> uploaded = new HashMap<>();
      for (int i = 0; i < 5; i++) {
        byte[] data = ("upload " + i + "\n").getBytes(StandardCharsets.UTF_8);
        if (i == 2) {
          data = new byte[3 << 20]; // read back from S3 in several ranged GETs
          new Random(i).nextBytes(data);
        }
        try (OutputStream out = sftp.write("outbox/up-" + i + ".txt")) {
          out.write(data);
        }
        uploaded.put("partner/outbox/up-" + i + ".txt", data);
      }
      Await.until(() -> batchRuns(ferry).size() == 1 && batchRuns(ferry).get(0).state().isFinal(),
          "the run the fifth upload set off to end");
      JobRecord run = batchRuns(ferry).get(0);
      assertEquals(JobState.DONE, run.state(), String.valueOf(run.lastError()));
      assertEachReadsBackAtItsOffset(bucket, uploaded, manifestEntries(manifests, run.id()));
      assertTrue(s3.keys(bucket, "partner/outbox/up-").isEmpty(), "the originals are gone");

      // The batches command over the admin HTTP API: the batch, its last run and its next.
      HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
          "http://127.0.0.1:" + ferry.adminHttp().port() + "/api/batches")).header("Authorization", "Bearer " + token)
          .build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, answer.statusCode(), answer.body());
      JsonNode batch = JSON.readTree(answer.body()).get("data").get(0);
      assertEquals("outbox", batch.get("name").asText());
      assertEquals(run.id(), batch.get("lastRun").get("id").asText());
      assertEquals("DONE", batch.get("lastRun").get("state").asText());
      assertEquals("PT1H", batch.get("every").asText());
      assertFalse(batch.get("nextRun").isNull());
    } finally {
      ferry.stop();
    }
  }

  static List<JobRecord> batchRuns(FerryServer ferry) {
    try {
      return ferry.jobs().list(null).stream().filter(j -> j.spec().destination().equals("batch outbox")).toList();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void indexDown_manifestInS3AtOnce_indexedByALaterRunAfterARestart_asNdjson() throws Exception {
    String bucket = s3.createBucket();
    String manifests = s3.createBucket();
    for (int i = 0; i < 20; i++) {
      s3.put(bucket, "partner/outbox/log-" + i + ".txt", ("line " + i + "\n").getBytes(StandardCharsets.UTF_8));
    }
    String yaml = yaml(bucket, manifests, """
            index: { url: "http://127.0.0.1:%d", name: ferry-manifests }
        """.formatted(index.getAddress().getPort()));
    indexDown.set(true);
    FerryServer ferry = EmbeddedFerry.start(dir, yaml, Map.of());
    JobRecord failed;
    try {
      failed = runBatch(ferry);
    } finally {
      ferry.stop();
    }
    assertEquals(JobState.FAILED, failed.state());
    assertEquals(2, failed.attempts(), "retried once (maxAttempts: 2)");
    assertTrue(failed.lastError().contains("HTTP 503"), failed.lastError());
    assertEquals(2, bulkRequests.size());
    List<String> written = s3.keys(manifests, "outbox/" + failed.id() + "/");
    assertEquals(1, written.size(), "the manifest is in S3 although the index was down");
    assertEquals(20, manifestEntries(manifests, failed.id()).size());
    assertTrue(s3.keys(bucket, "partner/outbox/log-").isEmpty(), "archived and deleted all the same");
    assertFalse(s3.keys(manifests, "outbox/unindexed/").isEmpty(), "marked for indexing");

    indexDown.set(false);
    FerryServer restarted = EmbeddedFerry.start(dir, yaml, Map.of());
    try {
      JobRecord later = runBatch(restarted);
      assertEquals(JobState.DONE, later.state(), String.valueOf(later.lastError()));
      assertEquals(1L, later.counts().get("indexed"));
    } finally {
      restarted.stop();
    }
    assertTrue(s3.keys(manifests, "outbox/unindexed/").isEmpty(), "nothing left to index");
    assertEquals(3, bulkRequests.size());
    Map<String, Object> delivered = bulkRequests.get(2);
    assertEquals("application/x-ndjson", delivered.get("contentType"));
    String body = (String) delivered.get("body");
    assertTrue(body.endsWith("\n"), "NDJSON ends with a newline");
    String[] lines = body.substring(0, body.length() - 1).split("\n", -1);
    assertEquals(40, lines.length, "an action line and a document per file");
    for (int i = 0; i < lines.length; i += 2) {
      JsonNode action = JSON.readTree(lines[i]);
      assertEquals(1, action.size(), lines[i]);
      assertEquals("ferry-manifests", action.get("index").get("_index").asText());
      assertFalse(action.get("index").get("_id").asText().isEmpty());
      JsonNode document = JSON.readTree(lines[i + 1]);
      assertTrue(document.get("key").asText().startsWith("s3://" + bucket + "/partner/outbox/log-"));
      assertTrue(document.get("archive").asText().endsWith(".tar"));
      assertTrue(document.get("offset").asLong() >= 512);
      assertEquals(64, document.get("sha256").asText().length());
      assertEquals("s3://" + manifests + "/" + written.get(0), document.get("manifest").asText());
    }
    assertEquals(bulkRequests.get(0).get("body"), body, "the refused request, sent again as it was");
  }

  @Test
  void config_badBatches_refusedNamingTheKey() throws Exception {
    String bucket = s3.createBucket();
    String good = yaml(bucket, s3.createBucket(), "");
    Map<String, String> broken = Map.of(
        "maxBatchSize: 64KiB", "maxBatchSize: 1KiB",
        "folder: s3://" + bucket, "folder: s3://no-such-bucket-of-ferry",
        "every: 1h", "every: often");
    Map<String, String> keys = Map.of(
        "maxBatchSize: 64KiB", "batches[0].maxBatchSize",
        "folder: s3://" + bucket, "batches[0].folder",
        "every: 1h", "batches[0].every");
    for (Map.Entry<String, String> change : broken.entrySet()) {
      assertTrue(good.contains(change.getKey()), change.getKey());
      String yaml = good.replace(change.getKey(), change.getValue());
      ConfigException e = assertThrows(ConfigException.class, () -> EmbeddedFerry.start(dir, yaml, Map.of()).stop());
      assertTrue(e.getMessage().contains(keys.get(change.getKey())), e.getMessage());
    }
  }
}
