package dev.ferry.jobs.sync;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.FerryConfig;
import dev.ferry.core.Gateway;
import dev.ferry.core.config.ConfigException;
import dev.ferry.core.event.FileEvent;
import dev.ferry.core.event.JobEvent;
import dev.ferry.core.event.Origin;
import dev.ferry.core.s3.ObjectFacts;
import dev.ferry.core.s3.S3Location;
import dev.ferry.core.store.ObjectStore;
import dev.ferry.core.testing.Await;
import dev.ferry.core.testing.OpenSshServer;
import dev.ferry.core.testing.RecordedEvents;
import dev.ferry.core.testing.S3TestServer;
import dev.ferry.core.user.PasswordHasher;
import dev.ferry.jobs.JobsConfig;
import dev.ferry.jobs.engine.JobRecord;
import dev.ferry.jobs.engine.JobRefusedException;
import dev.ferry.jobs.engine.JobState;
import dev.ferry.jobs.remote.MinaRemoteConnector;
import dev.ferry.jobs.transfer.Jobs;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Syncs from a real OpenSSH sshd (this machine, over loopback) into a real S3-API server, through a
 * whole Ferry gateway (core's uploads, locks and catalog) with its job engine. The remote's files
 * are written and changed directly on disk, as a partner would.
 */
class SyncIT {

  static final int MIB = 1024 * 1024;
  static final String HASH = PasswordHasher.hash("unused".toCharArray());

  @RegisterExtension
  static final S3TestServer s3 = new S3TestServer();

  @TempDir
  static Path dir;

  static OpenSshServer sshd;
  static String bucket;

  @BeforeAll
  static void startSshd() throws Exception {
    sshd = new OpenSshServer(dir.resolve("sshd"));
    bucket = s3.createBucket();
  }

  @AfterAll
  static void stopSshd() {
    if (sshd != null) {
      sshd.close();
    }
  }

  /** A Ferry gateway with its job engine and the syncs of {@code syncsYaml}, its state in {@code data}. */
  static final class Node implements AutoCloseable {
    final Gateway gateway;
    final Jobs jobs;
    final Syncs syncs;
    final MinaRemoteConnector connector = new MinaRemoteConnector();

    Node(Path data, String syncsYaml) throws IOException {
      FerryConfig config = config(data, syncsYaml);
      JobsConfig jobsConfig = JobsConfig.of(config);
      gateway = new Gateway(config, Clock.systemUTC());
      Syncs built = null;
      Jobs engine = null;
      try {
        built = new Syncs(jobsConfig.syncs(), jobsConfig.remotes(), gateway.stateStore(), new SyncServices(connector,
          gateway.objects(), Duration.ofMillis(200),
          Duration.ofMinutes(1), Clock.systemUTC()));
        engine = new Jobs(jobsConfig.jobs(), gateway.objects(), gateway.stateStore(), jobsConfig.remotes(), connector,
            Clock.systemUTC(), List.of(built.jobKind()), gateway.events());
        engine.start();
        built.start(engine, false);
      } catch (IOException | RuntimeException e) {
        if (built != null) {
          built.close();
        }
        if (engine != null) {
          engine.close();
        }
        connector.close();
        gateway.close();
        throw e;
      }
      syncs = built;
      jobs = engine;
    }

    JobRecord await(String id, Predicate<JobRecord> until) {
      Await.until(() -> until.test(job(id)), Duration.ofSeconds(120), "job " + id + " to get there");
      return job(id);
    }

    JobRecord awaitEnd(String id) {
      return await(id, j -> j.state().isFinal());
    }

    JobRecord job(String id) {
      try {
        return jobs.find(id).orElseThrow();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** Runs the sync to its end and returns its job, which must be DONE at its first attempt. */
    JobRecord runDone(String name, boolean full) throws Exception {
      JobRecord done = awaitEnd(syncs.run(name, full).id());
      assertEquals(JobState.DONE, done.state(), "sync " + name + ": " + done.lastError());
      assertEquals(1, done.attempts(), "a run without faults needs one attempt: " + done.lastError());
      return done;
    }

    @Override
    public void close() {
      syncs.close();
      jobs.close();
      connector.close();
      gateway.close();
    }
  }

  static FerryConfig config(Path data, String syncsYaml) throws IOException {
    Files.createDirectories(data);
    String yaml = """
        dataDir: %s
        %s
        jobs:
          retryBackoff: 200ms
          pollInterval: 100ms
        users:
          - name: alice
            passwordHash: "%s"
            home: s3://%s/home/alice/
            permissions: [all]
        remotes:
          - name: partner
            address: 127.0.0.1
            port: %d
            user: %s
            privateKey: %s
            hostKey: "%s"
          - name: impostor
            address: 127.0.0.1
            port: %d
            user: %s
            privateKey: %s
            hostKey: "SHA256:4ZbRbb9sd+Lc4vY4ZKWQ0yrTL0g8JsyJw1O3Yu7PZ5I"
        %s
        """.formatted(data.resolve("ferry"), s3.configSection(), HASH, bucket, sshd.port, sshd.user,
        sshd.clientKey, sshd.hostKeyLine, sshd.port, sshd.user, sshd.clientKey, syncsYaml);
    Path file = data.resolve("ferry.yaml");
    Files.writeString(file, yaml);
    return FerryConfig.load(file, Map.of());
  }

  static String sync(String name, Path source, String prefix, String extra) {
    return """
          - name: %s
            source: partner:%s
            target: s3://%s/%s
            every: 1h
        %s""".formatted(name, source, bucket, prefix, extra.isEmpty() ? "" : extra.indent(4));
  }

  static String syncs(String... entries) {
    return "syncs:\n" + String.join("", entries);
  }

  static byte[] write(Path file, int size, long seed) throws IOException {
    byte[] data = new byte[size];
    new Random(seed).nextBytes(data);
    Files.createDirectories(file.getParent());
    Files.write(file, data);
    return data;
  }

  /** Every object under {@code prefix}, by key relative to it, with its bytes. */
  static Map<String, byte[]> objects(String prefix) {
    Map<String, byte[]> found = new HashMap<>();
    for (S3Object object : s3.client().listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents()) {
      found.put(object.key().substring(prefix.length()), s3.client().getObject(b -> b.bucket(bucket)
          .key(object.key()), ResponseTransformer.toBytes()).asByteArray());
    }
    return found;
  }

  /** Every regular file under {@code root}, by path relative to it, with its bytes. */
  static Map<String, byte[]> files(Path root) throws IOException {
    Map<String, byte[]> found = new HashMap<>();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path file : (Iterable<Path>) walk.filter(Files::isRegularFile)::iterator) {
        found.put(root.relativize(file).toString(), Files.readAllBytes(file));
      }
    }
    return found;
  }

  static void assertSameTree(Map<String, byte[]> expected, Map<String, byte[]> actual) {
    assertEquals(new java.util.TreeSet<>(expected.keySet()), new java.util.TreeSet<>(actual.keySet()));
    expected.forEach((name, bytes) -> assertArrayEquals(bytes, actual.get(name), "bytes of " + name));
  }

  static ObjectFacts facts(Node node, String key) throws IOException {
    S3Location at = new S3Location(bucket, key);
    return node.gateway.catalog().factsOf(at, ObjectStore.await(node.gateway.store().head(at)).orElseThrow());
  }

  @Test
  void fullRun_treeOfSmallFilesNestedUnicodeAndLarge_isExactWithTheRemoteTimes(@TempDir Path data) throws Exception {
    Path source = Files.createDirectories(dir.resolve("tree"));
    for (int i = 0; i < 2000; i++) {
      write(source.resolve("d" + (i % 7) + "/sub" + (i % 3) + "/f" + i + ".dat"), 100 + (i * 37) % 4000, i);
    }
    write(source.resolve("café/résumé ✓ 東京.txt"), 5000, 1);
    write(source.resolve("large/big.bin"), 100 * MIB + 123, 2);
    Instant remoteTime = Instant.parse("2024-02-03T04:05:06Z");
    Files.setLastModifiedTime(source.resolve("café/résumé ✓ 東京.txt"), FileTime.from(remoteTime));

    try (Node node = new Node(data, syncs(sync("tree", source, "tree/", "")))) {
      long started = System.nanoTime();
      JobRecord done = node.runDone("tree", true);
      System.out.printf("full sync of 2,002 files (%d MiB): %d ms%n", 100 + 4,
          (System.nanoTime() - started) / 1_000_000);

      assertEquals(2002L, done.counts().get("copied"), done.counts().toString());
      assertEquals(2002L, done.counts().get("seen"));
      assertEquals(0L, done.counts().get("failed"));
      assertSameTree(files(source), objects("tree/"));
      assertEquals(remoteTime, facts(node, "tree/café/résumé ✓ 東京.txt").clientTime(),
          "the remote's modification time is the object's");
      assertEquals(S3TestServer.sha256Hex(Files.readAllBytes(source.resolve("large/big.bin"))),
          facts(node, "tree/large/big.bin").sha256(), "the SHA-256 is recorded");
      assertTrue(s3.client().listMultipartUploads(b -> b.bucket(bucket)).uploads().isEmpty(), "no multipart left");
    }
  }

  @Test
  void incrementalRun_afterChanges_copiesOnlyTheChangedAndMirrorDeletesTheGone(@TempDir Path data) throws Exception {
    Path source = Files.createDirectories(dir.resolve("changes"));
    for (int i = 0; i < 20; i++) {
      write(source.resolve("f" + i + ".txt"), 1000 + i, 100 + i);
    }
    Files.setLastModifiedTime(source.resolve("f3.txt"), FileTime.from(Instant.parse("2023-01-01T00:00:00Z")));
    try (Node node = new Node(data, syncs(sync("keep", source, "keep/", ""),
        sync("mirror", source, "mirror/", "mirror: true")))) {
      node.runDone("keep", false);
      node.runDone("mirror", false);
      JobRecord unchanged = node.runDone("keep", false);
      assertEquals(0L, unchanged.counts().get("copied"), "nothing changed: " + unchanged.counts());
      assertEquals(20L, unchanged.counts().get("unchanged"));

      write(source.resolve("new.txt"), 700, 1);
      write(source.resolve("f1.txt"), 3000, 2); // modified: another size
      byte[] sameSize = write(source.resolve("f2.txt"), 1002, 3); // the same size, a new time
      Files.setLastModifiedTime(source.resolve("f2.txt"), FileTime.from(Instant.parse("2030-01-01T00:00:00Z")));
      Files.delete(source.resolve("f3.txt"));

      RecordedEvents events;
      JobRecord incremental;
      try (RecordedEvents recorded = RecordedEvents.of(node.gateway.events())) {
        incremental = node.runDone("keep", false);
        events = recorded;
      }
      assertEquals(3L, incremental.counts().get("copied"), incremental.counts().toString());
      assertEquals(List.of("QUEUED", "RUNNING", "DONE"), events.jobs().stream()
          .filter(e -> e.jobId().equals(incremental.id())).map(JobEvent::state).toList(), "the run's states as events");
      List<FileEvent> uploads = events.files();
      assertEquals(Set.of("keep/new.txt", "keep/f1.txt", "keep/f2.txt"),
          uploads.stream().map(e -> e.object().key()).collect(Collectors.toSet()), "the copies as UPLOADED events");
      for (FileEvent upload : uploads) {
        assertEquals(FileEvent.Type.UPLOADED, upload.type());
        assertEquals(new Origin(Origin.Kind.SYNC, "keep", null), upload.origin(), "ingest, not a client: " + upload);
      }
      assertEquals(17L, incremental.counts().get("unchanged"));
      Map<String, byte[]> kept = objects("keep/");
      assertTrue(kept.containsKey("f3.txt"), "a file deleted on the remote keeps its object");
      assertArrayEquals(sameSize, kept.get("f2.txt"));
      Map<String, byte[]> expected = files(source);
      kept.remove("f3.txt");
      assertSameTree(expected, kept);

      JobRecord mirrored = node.runDone("mirror", false);
      assertEquals(1L, mirrored.counts().get("deleted"), mirrored.counts().toString());
      assertSameTree(expected, objects("mirror/"));
    }
  }

  @Test
  void run_fileAppendedWhileCopied_isNotCommittedUntilTheNextRun(@TempDir Path data) throws Exception {
    Path source = Files.createDirectories(dir.resolve("appended"));
    write(source.resolve("a-big.bin"), 150 * MIB, 5);
    write(source.resolve("b-growing.log"), 10_000, 6);
    try (Node node = new Node(data, syncs(sync("grow", source, "grow/", "parallel: 1")))) {
      String id = node.syncs.run("grow", false).id();
      node.await(id, j -> j.current() != null && j.current().endsWith("a-big.bin") && j.bytesDone() > 0);
      try (OutputStream out = Files.newOutputStream(source.resolve("b-growing.log"), StandardOpenOption.APPEND)) {
        out.write("more lines\n".getBytes(StandardCharsets.UTF_8));
      }
      JobRecord first = node.awaitEnd(id);
      assertEquals(JobState.DONE, first.state(), first.lastError());
      assertEquals(1L, first.counts().get("skipped"), first.counts().toString());
      assertFalse(objects("grow/").containsKey("b-growing.log"), "a file that changed while copied is not committed");

      node.runDone("grow", false);
      assertSameTree(files(source), objects("grow/"));
    }
  }

  @Test
  void run_connectionsKilledMidRun_retriesAndEndsExact(@TempDir Path data) throws Exception {
    Path source = Files.createDirectories(dir.resolve("killed"));
    write(source.resolve("big.bin"), 200 * MIB, 7);
    for (int i = 0; i < 50; i++) {
      write(source.resolve("small/s" + i), 2000 + i, 200 + i);
    }
    try (Node node = new Node(data, syncs(sync("cut", source, "cut/", "")))) {
      String id = node.syncs.run("cut", false).id();
      node.await(id, j -> j.bytesDone() > 10 * MIB);
      sshd.killConnections();
      JobRecord done = node.awaitEnd(id);
      assertEquals(JobState.DONE, done.state(), done.lastError());
      assertSameTree(files(source), objects("cut/"));
      assertTrue(s3.client().listMultipartUploads(b -> b.bucket(bucket).prefix("cut/")).uploads().isEmpty(),
          "the cut upload was aborted");
    }
  }

  @Test
  void cancel_midRun_endsCancelledLeavingNoPartialObject(@TempDir Path data) throws Exception {
    Path source = Files.createDirectories(dir.resolve("cancelled"));
    write(source.resolve("huge.bin"), 300 * MIB, 16);
    try (Node node = new Node(data, syncs(sync("stop", source, "stop/", "")))) {
      String id = node.syncs.run("stop", false).id();
      node.await(id, j -> j.bytesDone() > 10 * MIB);
      JobRecord cancelled = node.jobs.cancel(id, Duration.ofSeconds(30));
      assertEquals(JobState.CANCELLED, cancelled.state(), cancelled.toString());
      assertTrue(objects("stop/").isEmpty(), "a cancelled run commits nothing half");
      Await.until(() -> s3.client().listMultipartUploads(b -> b.bucket(bucket).prefix("stop/")).uploads().isEmpty(),
          Duration.ofSeconds(10), "the cancelled upload to be aborted");
    }
  }

  @Test
  void run_twoTriggersAtOnce_startOneRun(@TempDir Path data) throws Exception {
    Path source = Files.createDirectories(dir.resolve("once"));
    write(source.resolve("big.bin"), 20 * MIB, 8);
    try (Node node = new Node(data, syncs(sync("once", source, "once/", "")))) {
      ExecutorService callers = Executors.newFixedThreadPool(4);
      List<Future<String>> tries = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        boolean full = i % 2 == 0;
        tries.add(callers.submit((Callable<String>) () -> {
          try {
            return node.syncs.run("once", full).id();
          } catch (JobRefusedException e) {
            assertEquals(JobRefusedException.Reason.CONFLICT, e.reason(), e.getMessage());
            return null;
          }
        }));
      }
      List<String> started = new ArrayList<>();
      for (Future<String> attempt : tries) {
        if (attempt.get() != null) {
          started.add(attempt.get());
        }
      }
      callers.shutdown();
      assertEquals(1, started.size(), "one run of four triggers: " + started);
      JobRefusedException refused = assertThrows(JobRefusedException.class, () -> node.syncs.run("once", false));
      assertTrue(refused.getMessage().contains(started.get(0)), refused.getMessage());
      assertEquals(JobState.DONE, node.awaitEnd(started.get(0)).state());
    }
  }

  @Test
  void run_linksOutOfTheSourceAndOverlongNames_areSkippedNotFollowedNorTruncated(@TempDir Path data)
      throws Exception {
    Path source = Files.createDirectories(dir.resolve("links"));
    Path outside = dir.resolve("secret.txt");
    write(outside, 100, 9);
    write(source.resolve("inside.txt"), 100, 10);
    Files.createSymbolicLink(source.resolve("leak.txt"), outside);
    Files.createSymbolicLink(source.resolve("alias.txt"), source.resolve("inside.txt"));
    String longName = "n".repeat(250);
    write(source.resolve(longName + "/" + longName + "/" + longName + "/" + longName + ".txt"), 100, 11);
    try (Node node = new Node(data, syncs(sync("links", source, "links/", "")))) {
      JobRecord done = node.runDone("links", false);
      assertEquals(2L, done.counts().get("skipped"), done.counts().toString());
      Map<String, byte[]> objects = objects("links/");
      assertEquals(java.util.Set.of("inside.txt", "alias.txt"), objects.keySet(),
          "a link inside is copied, one out of the source is not, an overlong name is not truncated");
    }
  }

  @Test
  void run_minAgeAndDeleteSource_skipsTheFreshAndRemovesOnlyVerifiedSources(@TempDir Path data) throws Exception {
    Path source = Files.createDirectories(dir.resolve("drain"));
    byte[] old = write(source.resolve("old.csv"), 5000, 12);
    Files.setLastModifiedTime(source.resolve("old.csv"), FileTime.from(Instant.now().minusSeconds(3600)));
    write(source.resolve("fresh.csv"), 5000, 13);
    write(source.resolve("notes.tmp"), 10, 14);
    try (Node node = new Node(data, syncs(sync("drain", source, "drain/",
        "minAge: 10m\ndeleteSource: true\ninclude: ['*.csv']")))) {
      JobRecord done = node.runDone("drain", false);
      assertEquals(1L, done.counts().get("sourceDeleted"), done.counts().toString());
      assertEquals(Map.of("old.csv", old).keySet(), objects("drain/").keySet());
      assertArrayEquals(old, objects("drain/").get("old.csv"));
      assertFalse(Files.exists(source.resolve("old.csv")), "a verified source is removed");
      assertTrue(Files.exists(source.resolve("fresh.csv")), "a file younger than minAge waits");
      assertTrue(Files.exists(source.resolve("notes.tmp")), "a file the filter leaves out stays");
    }
  }

  @Test
  void run_hostKeyMismatch_failsNamingIt(@TempDir Path data) throws Exception {
    Path source = Files.createDirectories(dir.resolve("impostor"));
    write(source.resolve("x"), 10, 15);
    try (Node node = new Node(data, syncs(sync("one", source, "one/", "")))) {
      JobRecord failed = node.awaitEnd(node.syncs.runOneOff("impostor:" + source, "s3://" + bucket + "/imp/", false)
          .id());
      assertEquals(JobState.FAILED, failed.state());
      assertTrue(failed.lastError().toLowerCase().contains("host key"), failed.lastError());
      assertTrue(objects("imp/").isEmpty());
    }
  }

  @Test
  void config_badSyncs_refusedNamingTheKey(@TempDir Path data) {
    Path source = dir.resolve("anything");
    Map<String, String> cases = Map.of(
        "source: nowhere:/data", "syncs[0].source",
        "source: partner:relative/dir", "syncs[0].source",
        "target: s3:/bucket", "syncs[0].target",
        "include: ['[a-']", "syncs[0].include",
        "every: soon", "syncs[0].every",
        "every: 0s", "syncs[0].every");
    for (Map.Entry<String, String> bad : cases.entrySet()) {
      String key = bad.getValue().substring("syncs[0].".length());
      String yaml = syncs(sync("bad", source, "bad/", "").lines()
          .filter(l -> !l.trim().startsWith(key + ":")).map(l -> l + "\n").reduce("", String::concat)
          + "    " + bad.getKey() + "\n");
      ConfigException e = assertThrows(ConfigException.class, () -> JobsConfig.of(config(data, yaml)), bad.getKey());
      assertTrue(e.getMessage().contains(bad.getValue()), bad.getKey() + ": " + e.getMessage());
    }
  }

  @Test
  void start_missingBucket_refusedNamingTheKey(@TempDir Path data) {
    IOException e = assertThrows(IOException.class, () -> new Node(data, syncs(sync("b", dir, "x/", "")
        .replace("s3://" + bucket + "/", "s3://no-such-bucket-here/"))).close());
    assertTrue(e.getMessage().contains("syncs[0].target") && e.getMessage().contains("no-such-bucket-here"),
        e.getMessage());
  }

  @Test
  void syncRunOneOff_badPlaces_refusedWithTheReason(@TempDir Path data) throws Exception {
    try (Node node = new Node(data, "")) {
      assertNotNull(assertThrows(JobRefusedException.class,
          () -> node.syncs.runOneOff("partner:relative", "s3://" + bucket + "/p/", false)));
      JobRefusedException unknown = assertThrows(JobRefusedException.class,
          () -> node.syncs.runOneOff("nobody:/data", "s3://" + bucket + "/p/", false));
      assertTrue(unknown.getMessage().contains("unknown remote 'nobody'"), unknown.getMessage());
      JobRefusedException noBucket = assertThrows(JobRefusedException.class,
          () -> node.syncs.runOneOff("partner:" + dir, "s3://no-such-bucket-here/p/", false));
      assertEquals(JobRefusedException.Reason.NOT_FOUND, noBucket.reason());
      assertThrows(JobRefusedException.class, () -> node.syncs.run("nope", false));
    }
  }
}
