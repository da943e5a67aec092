package dev.ferry.server.nodes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.core.testing.Await;
import dev.ferry.core.testing.OpenSshServer;
import dev.ferry.core.testing.PostgresTestServer;
import dev.ferry.core.testing.S3RequestLog;
import dev.ferry.core.testing.S3TestServer;
import dev.ferry.core.user.PasswordHasher;
import dev.ferry.jobs.transfer.PartRange;
import dev.ferry.server.EmbeddedFerry;
import dev.ferry.server.SshExec;
import dev.ferry.server.SshTestClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * Transfer jobs resume at part granularity: a 1 GiB object with {@code --parts 8} (direct: 8 parts, 5
 * at once as the session has 5 channels; relay: 32 parts of 32 MiB, see {@link PartRange#inRounds},
 * 4 at once, as the remote's hash that follows the file takes a channel) to a real OpenSSH remote, the Ferry running it killed
 * (SIGKILL) once at least 4 parts are on the remote, then started again (or another node on
 * PostgreSQL takes the job over). S3 sits behind a proxy that notes every request and holds the
 * reads from part 5 on, so the kill always finds parts 1 to 4 done and the next ones in flight; what
 * the proxy saw after the kill proves the kept parts were not read again.
 */
class TransferResumeIT {

  @RegisterExtension
  static final S3TestServer s3 = new S3TestServer();

  @RegisterExtension
  static final PostgresTestServer postgres = new PostgresTestServer();

  @RegisterExtension
  static final SshTestClient ssh = new SshTestClient();

  private static final String PASSWORD = "transfer-resume-Pa55";
  private static final String HASH = PasswordHasher.hash(PASSWORD.toCharArray());
  private static final long MIB = 1024 * 1024;
  private static final int PARTS = 8;
  private static final NodeAdmin ADMIN = new NodeAdmin(ssh, "ops", PASSWORD);

  @TempDir
  static Path dir;

  static OpenSshServer sshd;
  static Path remote;
  static String bucket;
  static S3RequestLog wire;
  final List<FerryNode> nodes = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    sshd = new OpenSshServer(dir.resolve("sshd"));
    remote = Files.createDirectories(dir.resolve("remote"));
    bucket = s3.createBucket();
    wire = new S3RequestLog(s3.endpoint());
  }

  @AfterEach
  void stopNodes() throws Exception {
    wire.release();
    for (FerryNode node : nodes) {
      node.close();
    }
    nodes.clear();
  }

  @AfterAll
  static void stop() {
    if (wire != null) {
      wire.close();
    }
    if (sshd != null) {
      sshd.close();
    }
  }

  @Test
  void killedWithFourOfEightPartsDone_restarted_fetchesOnlyTheOtherFour() throws Exception {
    long size = 1024 * MIB;
    String key = "resume/direct.bin";
    String sha256 = object(key, size, 1);
    Path target = remote.resolve("direct.bin");
    Path data = dir.resolve("one-node-data");
    String store = "store:\n  lease: 3s\n";

    FerryNode first = node("resumer", dir.resolve("first"), data, store);
    HalfDone job = startHalfDone(first, key, size, target, "");
    int mark = killAndRelease(first);

    FerryNode second = node("resumer", dir.resolve("second"), data, store);
    JsonNode done = ADMIN.awaitJob(second, job.id(), NodeAdmin::ended, Duration.ofMinutes(3),
        "to end after the restart");
    assertResumed(done, second, job.kept(), size, false, key, mark, target, sha256);
  }

  @Test
  void killedWithFourOfEightPartsRelayed_anotherNodeTakesOver_andRelaysOnlyTheOtherFour() throws Exception {
    long size = 1024 * MIB;
    String key = "resume/relay.bin";
    String sha256 = object(key, size, 2);
    Path target = remote.resolve("relay.bin");
    String database = postgres.newDatabase();

    FerryNode doomed = node("node-doomed", dir.resolve("doomed"), dir.resolve("doomed-data"),
        FerryNode.sharedStore(database, "node-doomed", Duration.ofSeconds(3)));
    HalfDone job = startHalfDone(doomed, key, size, target, " --mode relay");
    FerryNode survivor = node("node-survivor", dir.resolve("survivor"), dir.resolve("survivor-data"),
        FerryNode.sharedStore(database, "node-survivor", Duration.ofSeconds(3)));
    int mark = killAndRelease(doomed);

    JsonNode done = ADMIN.awaitJob(survivor, job.id(), NodeAdmin::ended, Duration.ofMinutes(3),
        "to be taken over and end");
    assertEquals("node-survivor", done.get("node").asText(), done.toString());
    assertResumed(done, survivor, job.kept(), size, true, key, mark, target, sha256);
    assertTrue(java.util.regex.Pattern.compile("job " + job.id() + ": SHA-256 of local:\\S+ checked, hashed on the"
        + " remote as its parts landed").matcher(survivor.logText()).find(),
        "the relay's file hashed as its parts landed, kept ones first: " + survivor.logText());
  }

  /**
   * The node relaying the job freezes (SIGSTOP) with 4 of 8 parts kept and the reads of the other 4
   * answered into its sockets while it sleeps; another node adopts its folder and finishes the
   * file. The frozen node then wakes while the store is down, so it cannot learn from the store
   * that it lost the job: it must still not write those chunks into the file it has open, which is
   * the delivered file now (its bytes, its time and its inode stay).
   */
  @Test
  void relayNodeFrozenWithPartsKept_anotherAdoptsThem_andTheWokenNodeWritesNothing() throws Exception {
    long size = 64 * MIB;
    String key = "resume/frozen.bin";
    String sha256 = object(key, size, 5);
    Path target = remote.resolve("frozen.bin");
    String database = postgres.newDatabase();

    FerryNode sleeper = node("node-sleeper", dir.resolve("sleeper"), dir.resolve("sleeper-data"),
        FerryNode.sharedStore(database, "node-sleeper", Duration.ofSeconds(3)));
    String id = startHalfDone(sleeper, key, size, target, " --mode relay").id();
    FerryNode awake = node("node-awake", dir.resolve("awake"), dir.resolve("awake-data"),
        FerryNode.sharedStore(database, "node-awake", Duration.ofSeconds(3)));
    sleeper.freeze();
    try {
      wire.release();
      JsonNode done = ADMIN.awaitJob(awake, id, NodeAdmin::ended, Duration.ofMinutes(2), "to be taken over and end");
      assertEquals("DONE", done.get("state").asText(), done.toString());
      assertEquals("node-awake", done.get("node").asText(), done.toString());
      assertEquals(4, done.get("checkpoint").get("kept").asInt(), done.toString());
      postgres.stop();
    } finally {
      sleeper.wake();
    }
    try {
      assertEquals(sha256, sha256Of(target));
      java.nio.file.attribute.FileTime placed = Files.getLastModifiedTime(target);
      Object inode = Files.getAttribute(target, "unix:ino");
      // The woken node's parts have their S3 chunks in hand at once: wait until its attempt has ended
      // (its claim check stops it, with the store away it retries later), or (the defect this test
      // is for) the file changes under it.
      Await.until(() -> sleeper.logText().contains("job " + id + " attempt 1 failed")
          || !placed.equals(modified(target)), Duration.ofSeconds(60), "the woken node's attempt to end");
      assertEquals(placed, Files.getLastModifiedTime(target), "the woken node wrote into the delivered file");
      assertEquals(sha256, sha256Of(target), "the woken node changed the delivered file");
      assertEquals(inode, Files.getAttribute(target, "unix:ino"), "the woken node replaced the delivered file");
    } finally {
      postgres.start();
    }
    Await.until(() -> sleeper.logText().contains("job " + id
        + ": another node claimed it while this node was silent"), Duration.ofSeconds(60),
        "the woken node to give the job up once the store is back");
    assertFalse(sleeper.logText().contains("job " + id + " done"), "the woken node logged the job done too");
  }

  @Test
  void objectOverwrittenBetweenAttempts_theRetryStartsOverAndDeliversTheNewVersionWhole() throws Exception {
    long size = 64 * MIB;
    String key = "resume/overwritten.bin";
    object(key, size, 3);
    Path target = remote.resolve("overwritten.bin");
    Path data = dir.resolve("overwrite-data");
    String store = "store:\n  lease: 3s\n";

    FerryNode first = node("overwritten", dir.resolve("overwrite-first"), data, store);
    String id = startHalfDone(first, key, size, target, "").id();
    int mark = killAndRelease(first);
    String newer = object(key, size, 4);

    FerryNode second = node("overwritten", dir.resolve("overwrite-second"), data, store);
    JsonNode done = ADMIN.awaitJob(second, id, NodeAdmin::ended, Duration.ofMinutes(2), "to end after the restart");
    assertEquals("DONE", done.get("state").asText(), done.toString());
    assertEquals(newer, sha256Of(target), "the new version, whole");
    Set<Integer> readAgain = partsRead(key, size, false, mark);
    assertEquals(Set.of(0, 1, 2, 3, 4, 5, 6, 7), readAgain, "every part read again after the overwrite");
    JsonNode checkpoint = done.get("checkpoint");
    assertEquals(0, checkpoint.get("kept").asInt(), checkpoint.toString());
    assertEquals(4, checkpoint.get("fetchedAgain").asInt(), checkpoint.toString());
    assertTrue(second.logText().contains("job " + id + ": started over: s3://" + bucket + "/" + key
        + " changed since its 4 kept part(s) were fetched"), second.logText());
    assertFalse(Files.exists(Path.of(target + ".part")), "staging folder left");
  }

  /** A node whose S3 is reached through the wire; {@code store} is its store: section. */
  FerryNode node(String name, Path nodeDir, Path data, String store) throws IOException {
    String yaml = FerryNode.config(data, s3, store + """
        jobs:
          workers: 2
          retryBackoff: 200ms
          pollInterval: 300ms
          channelsPerSession: 5
        shutdown:
          grace: 2s
        users:
          - name: ops
            passwordHash: "%s"
            home: s3://%s/ops/
            permissions: [all]
            admin: true
        """.formatted(HASH, bucket) + EmbeddedFerry.remote("local", sshd, remote));
    FerryNode node = FerryNode.start(name, nodeDir, yaml.replace(s3.endpoint().toString(), wire.endpoint().toString()));
    nodes.add(node);
    return node;
  }

  /** A job submitted on a node, with the parts its node had kept when the test went on. */
  record HalfDone(String id, Set<Integer> kept) {}

  /**
   * Transfers {@code key} to {@code target} with {@code --parts 8} on {@code node} ({@code options}
   * added), the reads from part 5 on held at the proxy, and returns once parts 1 to 4 are kept and saved:
   * the job shows them, and each channel running a part has moved on to a held one, which it starts
   * only after the store has the part it finished.
   */
  static HalfDone startHalfDone(FerryNode node, String key, long size, Path target, String options)
      throws IOException {
    long fifth = parts(size, options.contains("relay")).get(4).first();
    wire.hold(r -> r.method().equals("GET") && r.path().endsWith("/" + key) && S3RequestLog.rangeStart(r) >= fifth);
    String id = ADMIN.transfer(node, "s3://" + bucket + "/" + key, "local:" + target, "--parts " + PARTS + options);
    JsonNode job = ADMIN.awaitJob(node, id, j -> keptIndexes(j).size() >= 4, Duration.ofMinutes(3),
        "to have 4 parts verified on the remote");
    Await.until(() -> wire.waiting() >= 4, Duration.ofMinutes(1), "the reads of the next 4 parts to be held");
    return new HalfDone(id, keptIndexes(job));
  }

  static java.nio.file.attribute.FileTime modified(Path file) {
    try {
      return Files.getLastModifiedTime(file);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** SIGKILL of the node, then the held reads go: the proxy's request count at the kill. */
  static int killAndRelease(FerryNode node) throws InterruptedException {
    node.kill();
    int mark = wire.requests().size();
    wire.release();
    return mark;
  }

  void assertResumed(JsonNode done, FerryNode by, Set<Integer> keptBefore, long size, boolean relay, String key, int mark,
      Path target, String sha256) throws Exception {
    assertEquals("DONE", done.get("state").asText(), done.toString());
    assertEquals(sha256, sha256Of(target), "the file on the remote");
    assertFalse(Files.exists(Path.of(target + ".part")), "staging folder left");
    assertEquals(Set.of(0, 1, 2, 3), keptBefore, "the parts done when the node was killed");

    Set<Integer> readAgain = partsRead(key, size, relay, mark);
    int count = parts(size, relay).size();
    assertEquals(IntStream.range(4, count).boxed().collect(Collectors.toSet()), readAgain,
        "parts read from S3 after the kill (the kept ones must not be)");

    JsonNode checkpoint = done.get("checkpoint");
    assertEquals(4, checkpoint.get("kept").asInt(), checkpoint.toString());
    assertEquals(0, checkpoint.get("fetchedAgain").asInt(), checkpoint.toString());
    String note = "resumed from part 5 of " + count + ", 4 part(s) and " + (4 * parts(size, relay).get(0).length()) + " bytes kept";
    String id = done.get("id").asText();
    assertTrue(by.logText().contains("job " + id + ": " + note), by.logText());
    assertTrue(by.logText().contains("\"detail\":\"" + note + "\""), "an activity line says it: " + by.logText());
    SshExec shown = ADMIN.run(by, "job " + id);
    assertTrue(shown.out().contains("parts:       " + count + " of " + count
        + " done (4 kept from earlier attempts, 0 fetched again), 0 to fetch"), shown.out());
  }

  /** The parts of {@code key} whose bytes S3 was asked for after request number {@code mark}. */
  static Set<Integer> partsRead(String key, long size, boolean relay, int mark) {
    Set<Integer> parts = new TreeSet<>();
    List<S3RequestLog.Request> all = wire.requests();
    for (S3RequestLog.Request request : all.subList(mark, all.size())) {
      long start = S3RequestLog.rangeStart(request);
      if (request.method().equals("GET") && request.path().endsWith("/" + key) && start >= 0) {
        parts.add((int) (start / parts(size, relay).get(0).length()));
      }
    }
    return parts;
  }

  static Set<Integer> keptIndexes(JsonNode job) {
    Set<Integer> indexes = new TreeSet<>();
    JsonNode checkpoint = job.get("checkpoint");
    if (checkpoint != null && checkpoint.has("parts")) {
      checkpoint.get("parts").forEach(part -> indexes.add(part.get("index").asInt()));
    }
    return indexes;
  }

  /** The parts of a job of {@code size} bytes with {@code --parts 8}; sizes here divide by their number. */
  static List<PartRange> parts(long size, boolean relay) {
    return relay ? PartRange.inRounds(size, PARTS) : PartRange.split(size, PARTS);
  }

  /** Puts {@code size} random bytes (from {@code seed}) at {@code key}, its SHA-256 recorded: the SHA-256. */
  static String object(String key, long size, int seed) throws Exception {
    Path file = dir.resolve("object-" + seed + ".bin");
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    Random random = new Random(seed);
    byte[] block = new byte[(int) MIB];
    try (OutputStream out = Files.newOutputStream(file)) {
      for (long written = 0; written < size; written += block.length) {
        random.nextBytes(block);
        out.write(block);
        digest.update(block);
      }
    }
    String sha256 = HexFormat.of().formatHex(digest.digest());
    s3.client().putObject(b -> b.bucket(bucket).key(key).metadata(Map.of("sha256", sha256)), RequestBody.fromFile(file));
    Files.delete(file);
    return sha256;
  }

  static String sha256Of(Path file) throws Exception {
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buffer = new byte[(int) MIB];
      for (int n; (n = in.read(buffer)) != -1; ) {
        digest.update(buffer, 0, n);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }
}
