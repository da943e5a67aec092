package dev.ferry.jobs.watch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.FerryConfig;
import dev.ferry.core.Gateway;
import dev.ferry.core.config.ConfigException;
import dev.ferry.core.s3.ObjectInfo;
import dev.ferry.core.s3.S3Location;
import dev.ferry.core.store.ObjectStore;
import dev.ferry.core.testing.Await;
import dev.ferry.core.testing.S3RequestLog;
import dev.ferry.core.testing.S3TestServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Watched folders with real files, real inotify and a real S3-API server. Ferry reaches S3 through
 * an {@link S3RequestLog}, so a test counts the object writes (PUTs and multipart completions) a
 * key got: "uploaded once" is one write, not merely the right bytes in the end.
 */
class WatchedFoldersIT {

  static final int MIB = 1024 * 1024;

  @RegisterExtension
  static final S3TestServer s3 = new S3TestServer();

  static S3RequestLog requests;
  static String bucket;

  @TempDir
  Path dir;

  String prefix;
  Gateway gateway;
  WatchedFolders watch;

  @BeforeAll
  static void startRequestLog() throws IOException {
    requests = new S3RequestLog(s3.endpoint());
    bucket = s3.createBucket();
  }

  @AfterAll
  static void stopRequestLog() {
    requests.close();
  }

  @org.junit.jupiter.api.BeforeEach
  void prefix(TestInfo test) {
    prefix = test.getTestMethod().orElseThrow().getName() + "/";
  }

  @AfterEach
  void stop() {
    stopFerry();
  }

  /** A gateway on dir/data (its state store survives a restart) and the watch section given, through the request log. */
  void startFerry(String watchSection) throws IOException {
    startFerry(watchSection, requests.endpoint());
  }

  void startFerry(String watchSection, URI endpoint) throws IOException {
    Path file = dir.resolve("ferry.yaml");
    Files.writeString(file, """
        dataDir: %s
        s3:
          endpoint: %s
          accessKey: %s
          secretKey: %s
        uploads:
          partSize: 5MiB
          singlePutLimit: 5MiB
          memoryBudget: 64MiB
        users:
          - name: ops
            home: s3://%s/ops/
        %s
        """.formatted(dir.resolve("data"), endpoint, s3.accessKey(), s3.secretKey(), bucket, watchSection));
    FerryConfig config = FerryConfig.load(file, Map.of());
    gateway = new Gateway(config, Clock.systemUTC());
    watch = WatchedFolders.start(WatchConfig.of(config), gateway);
  }

  void stopFerry() {
    if (watch != null) {
      watch.close();
      watch = null;
    }
    if (gateway != null) {
      assertEquals(0, gateway.locks().size(), "path locks left behind");
      assertEquals(List.of(), s3.multipartUploads(bucket), "multipart uploads left behind");
      gateway.close();
      gateway = null;
    }
  }

  /** One watch entry on {@code in} to s3://bucket/prefix/, with more keys. */
  String section(Path in, String more) {
    return "watch:\n  - name: test\n    directory: " + in + "\n    target: s3://" + bucket + "/" + prefix + "\n"
        + "    retryBackoff: 200ms\n" + more.indent(4);
  }

  Path folder() throws IOException {
    return Files.createDirectories(dir.resolve("in"));
  }

  static byte[] data(String seed, int size) {
    byte[] data = new byte[size];
    new Random(seed.hashCode() * 31L + size).nextBytes(data);
    return data;
  }

  /** Object writes of the key under this test's prefix that went through to S3. */
  int writes(String key) {
    return requests.requests("/" + bucket + "/" + prefix + key, S3RequestLog.Request::writesObject).size();
  }

  List<String> keys() {
    return s3.keys(bucket, prefix).stream().map(k -> k.substring(prefix.length())).toList();
  }

  void awaitObject(String key) {
    Await.until(() -> s3.keys(bucket, prefix + key).contains(prefix + key), Duration.ofSeconds(60),
        "s3://" + bucket + "/" + prefix + key);
  }

  /** Every file the watcher took is done with (uploaded, skipped or given up on). */
  void awaitIdle() {
    Await.until(() -> watch.status().stream().allMatch(s -> s.waiting() == 0), "the watcher to be idle");
  }

  void assertObject(String key, byte[] expected) {
    assertArrayEquals(expected, s3.read(bucket, prefix + key), "bytes of " + key);
  }

  Instant clientTime(String key) throws IOException {
    S3Location location = new S3Location(bucket, prefix + key);
    ObjectInfo head = ObjectStore.await(gateway.store().head(location)).orElseThrow();
    return gateway.catalog().factsOf(location, head).clientTime();
  }

  static byte[] gzip(byte[] data) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(data);
    }
    return out.toByteArray();
  }

  /**
   * The slow writer: a file held open for 10 s while it is written (12 MiB in ten pieces, a
   * multipart upload) is not uploaded while open, and is uploaded once after its close, exact, with
   * its modification time as the object's time.
   */
  @Test
  void slowWriter_heldOpenTenSeconds_uploadedOnceAfterCloseExact() throws Exception {
    Path in = folder();
    startFerry(section(in, ""));
    byte[] data = data("slow", 12 * MIB);
    Path file = in.resolve("slow.bin");
    int piece = data.length / 10;
    try (OutputStream out = Files.newOutputStream(file)) {
      for (int i = 0; i < 10; i++) {
        out.write(data, i * piece, i == 9 ? data.length - i * piece : piece);
        out.flush();
        Thread.sleep(1000); // the slow writer itself, not a wait for the watcher
        assertEquals(List.of(), keys(), "uploaded while still open, after piece " + (i + 1));
        assertEquals(0, writes("slow.bin"));
      }
    }
    long closed = System.nanoTime();
    awaitObject("slow.bin");
    long visibleMillis = (System.nanoTime() - closed) / 1_000_000;
    awaitIdle();
    assertObject("slow.bin", data);
    assertEquals(1, writes("slow.bin"), S3RequestLog.describe(requests.requests("slow.bin", r -> true)));
    assertEquals(Files.getLastModifiedTime(file).toInstant(), clientTime("slow.bin"));
    assertEquals(1, watch.status().get(0).uploaded());
    System.out.printf("slow writer: 12 MiB visible in S3 %d ms after its close%n", visibleMillis);
  }

  /**
   * gunzip: x.gz arrives as x, decompressed and exact (one member or several, as gunzip reads
   * them); a .gz that is not gzip is left where it is and stored as nothing.
   */
  @Test
  void gunzip_gzFile_arrivesDecompressedAndExact() throws Exception {
    Path in = folder();
    startFerry(section(in, "gunzip: true"));
    Files.write(in.resolve("broken.csv.gz"), "not gzip at all".getBytes());
    byte[] log = ("line of a log that compresses well\n".repeat(250_000)).getBytes(); // 8.5 MiB: multipart
    Files.createDirectories(in.resolve("logs"));
    Files.write(in.resolve("logs/app.log.gz"), gzip(log));
    byte[] a = data("a", 300_000);
    byte[] b = data("b", 200_000);
    ByteArrayOutputStream twoMembers = new ByteArrayOutputStream();
    twoMembers.write(gzip(a));
    twoMembers.write(gzip(b));
    Files.write(in.resolve("two.bin.gz"), twoMembers.toByteArray());
    byte[] plain = data("plain", 1000);
    Files.write(in.resolve("plain.txt"), plain);
    awaitObject("logs/app.log");
    awaitObject("two.bin");
    awaitObject("plain.txt");
    awaitIdle();
    assertObject("logs/app.log", log);
    ByteArrayOutputStream ab = new ByteArrayOutputStream();
    ab.write(a);
    ab.write(b);
    assertObject("two.bin", ab.toByteArray());
    assertObject("plain.txt", plain);
    assertEquals(List.of("logs/app.log", "plain.txt", "two.bin"), keys());
    assertTrue(Files.exists(in.resolve("broken.csv.gz")), "a file that was not uploaded was deleted");
  }

  /**
   * deleteAfterUpload: the files (some there at start, some written later, one multipart, one
   * gunzipped) are deleted once their objects verified, and the folder is left empty.
   */
  @Test
  void deleteAfterUpload_filesUploaded_folderLeftEmptyObjectsExact() throws Exception {
    Path in = folder();
    byte[] early = data("early", 2000);
    Files.write(in.resolve("early.bin"), early);
    startFerry(section(in, "deleteAfterUpload: true\ngunzip: true"));
    byte[] large = data("large", 7 * MIB);
    Files.write(in.resolve("large.bin"), large);
    byte[] text = "compressed text\n".repeat(10_000).getBytes();
    Files.write(in.resolve("text.txt.gz"), gzip(text));
    byte[] empty = new byte[0];
    Files.write(in.resolve("empty"), empty);
    Await.until(() -> list(in).isEmpty(), Duration.ofSeconds(60), "the watched folder to be empty, has " + in);
    awaitIdle();
    assertObject("early.bin", early);
    assertObject("large.bin", large);
    assertObject("text.txt", text);
    assertObject("empty", empty);
    for (String key : List.of("early.bin", "large.bin", "text.txt", "empty")) {
      assertEquals(1, writes(key), key);
    }
  }

  static List<Path> list(Path directory) {
    try (Stream<Path> entries = Files.list(directory)) {
      return entries.toList();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /**
   * A restart: files uploaded before it are not uploaded again; files written while Ferry was down
   * are each uploaded once; one that a process still holds open for writing at the start scan (this
   * test's own) waits for its close and is then uploaded once, whole.
   */
  @Test
  void restart_filesWaiting_allUploadedOnceNothingTwice() throws Exception {
    Path in = folder();
    startFerry(section(in, ""));
    byte[] before = data("before", 5000);
    Files.write(in.resolve("before.bin"), before);
    Files.createDirectories(in.resolve("sub"));
    Files.write(in.resolve("sub/before2.bin"), before);
    awaitObject("before.bin");
    awaitObject("sub/before2.bin");
    stopFerry();

    List<String> whileDown = List.of("down1.bin", "down2.bin", "sub/down3.bin", "new/dir/down4.bin");
    for (String name : whileDown) {
      Files.createDirectories(in.resolve(name).getParent());
      Files.write(in.resolve(name), data(name, 6 * MIB + name.length()));
    }
    byte[] held = data("held", 3000);
    try (OutputStream writer = Files.newOutputStream(in.resolve("held.bin"))) {
      writer.write(held, 0, 1000);
      writer.flush();
      startFerry(section(in, ""));
      for (String name : whileDown) {
        awaitObject(name);
      }
      awaitIdle();
      assertFalse(keys().contains("held.bin"), "a file held open for writing was uploaded at the start scan");
      writer.write(held, 1000, 2000);
    }
    awaitObject("held.bin");
    awaitIdle();
    assertObject("held.bin", held);
    assertEquals(1, writes("held.bin"));
    for (String name : whileDown) {
      assertObject(name, data(name, 6 * MIB + name.length()));
      assertEquals(1, writes(name), name);
    }
    assertEquals(1, writes("before.bin"), "uploaded again at the restart");
    assertEquals(1, writes("sub/before2.bin"), "uploaded again at the restart");
    assertEquals(2, watch.status().get(0).alreadyThere());
  }

  /** rsync's way: a hidden temp file written, then renamed into place. Only the final name is stored. */
  @Test
  void rsyncStyleTempThenRename_onlyTheFinalObject() throws Exception {
    Path in = folder();
    startFerry(section(in, ""));
    byte[] data = data("report", 400_000);
    Path temp = in.resolve(".report.csv.Xa1b2C");
    Files.write(temp, data);
    Files.move(temp, in.resolve("report.csv"), StandardCopyOption.ATOMIC_MOVE);
    awaitObject("report.csv");
    awaitIdle();
    assertEquals(List.of("report.csv"), keys());
    assertObject("report.csv", data);
    assertEquals(1, writes("report.csv"));
  }

  /**
   * A directory moved in whole from elsewhere brings files no event announced: the scan of the new
   * directory finds them. Globs choose among files; hidden ones stay out.
   */
  @Test
  void directoryMovedIn_itsFilesFoundByScanning_globsApplied() throws Exception {
    Path in = folder();
    startFerry(section(in, "include: ['*.csv']\nexclude: ['skip*']"));
    Path outside = Files.createDirectories(dir.resolve("outside/batch/deeper"));
    byte[] a = data("a", 1000);
    byte[] b = data("b", 2000);
    Files.write(outside.resolve("../a.csv"), a);
    Files.write(outside.resolve("b.csv"), b);
    Files.write(outside.resolve("c.txt"), b);
    Files.write(outside.resolve("skip.csv"), b);
    Files.write(outside.resolve(".hidden.csv"), b);
    Files.move(dir.resolve("outside/batch"), in.resolve("batch"), StandardCopyOption.ATOMIC_MOVE);
    awaitObject("batch/a.csv");
    awaitObject("batch/deeper/b.csv");
    awaitIdle();
    assertEquals(List.of("batch/a.csv", "batch/deeper/b.csv"), keys());
    assertObject("batch/a.csv", a);
    assertObject("batch/deeper/b.csv", b);
  }

  /** s3-batch's sync layout: directory/<bucket>/<key>. A file with no bucket directory is left out. */
  @Test
  void bucketKeyLayout_fileUnderBucketDirectory_uploadedToThatBucketAndKey() throws Exception {
    Path in = folder();
    String other = s3.createBucket();
    startFerry("watch:\n  - name: sync\n    directory: " + in + "\n    layout: bucket-key\n");
    byte[] data = data("bk", 4000);
    Files.write(in.resolve("no-bucket.txt"), data);
    Files.createDirectories(in.resolve(other + "/example/path"));
    Files.write(in.resolve(other + "/example/path/file.txt"), data);
    Await.until(() -> s3.keys(other, "").contains("example/path/file.txt"), "s3://" + other + "/example/path/file.txt");
    awaitIdle();
    assertArrayEquals(data, s3.read(other, "example/path/file.txt"));
    assertEquals(List.of("example/path/file.txt"), s3.keys(other, ""));
  }

  /**
   * S3 away: the upload fails, is retried with backoff and logged, and the watcher goes on; when S3
   * is back the file arrives, exact. Ferry talks to S3 directly here: the request log would hold
   * the connections S3's absence leaves it with. Against an external S3_TEST_ENDPOINT, which the
   * tests cannot stop, it fails (S3TestServer.stop throws) rather than skip.
   */
  @Test
  void s3Down_uploadRetriedWithBackoff_arrivesWhenBack() throws Exception {
    Path in = folder();
    startFerry(section(in, ""), s3.endpoint());
    s3.stop();
    byte[] data = data("outage", 100_000);
    try {
      Files.write(in.resolve("during-outage.bin"), data);
      Await.until(() -> watch.status().get(0).failedAttempts() >= 2, Duration.ofSeconds(60),
          "two failed attempts while S3 is down");
    } finally {
      s3.start();
    }
    awaitObject("during-outage.bin");
    awaitIdle();
    assertObject("during-outage.bin", data);
    assertEquals(1, watch.status().get(0).uploaded());
  }

  /** Bad input is refused at start-up with the key named: a bucket that does not exist, a relative directory. */
  @Test
  void start_missingBucketOrRelativeDirectory_refusedNamingTheKey() throws IOException {
    Path in = folder();
    ConfigException missing = assertThrows(ConfigException.class, () -> startFerry(
        "watch:\n  - name: test\n    directory: " + in + "\n    target: s3://ferry-no-such-bucket/in/\n"));
    assertTrue(missing.getMessage().contains("'watch[0].target'") && missing.getMessage().contains("does not exist"),
        missing.getMessage());
    stopFerry();
    ConfigException relative = assertThrows(ConfigException.class, () -> startFerry(
        "watch:\n  - name: test\n    directory: in\n    target: s3://" + bucket + "/in/\n"));
    assertTrue(relative.getMessage().contains("'watch[0].directory'"), relative.getMessage());
  }
}
