package dev.ferry.server.nodes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.core.testing.Await;
import dev.ferry.core.testing.OpenSshServer;
import dev.ferry.core.testing.PostgresTestServer;
import dev.ferry.core.testing.S3TestServer;
import dev.ferry.core.user.PasswordHasher;
import dev.ferry.server.EmbeddedFerry;
import dev.ferry.server.SshExec;
import dev.ferry.server.SshTestClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * Transfer jobs shared by Ferry nodes, each its own process, on one PostgreSQL state store (a real
 * server), one S3 and one real OpenSSH remote: a job runs exactly once whichever node it was
 * submitted on; a node killed or frozen mid-job loses it to another, which finishes it exact; the
 * frozen node, woken, commits nothing; a cancel on one node ends a job running on another.
 * Jobs are submitted and read the way an operator does: admin commands over SSH exec.
 */
class JobsAcrossNodesIT {

  @RegisterExtension
  static final S3TestServer s3 = new S3TestServer();

  @RegisterExtension
  static final PostgresTestServer postgres = new PostgresTestServer();

  @RegisterExtension
  static final SshTestClient ssh = new SshTestClient();

  private static final String PASSWORD = "jobs-nodes-Pa55";
  private static final String HASH = PasswordHasher.hash(PASSWORD.toCharArray());
  private static final Duration LEASE = Duration.ofSeconds(3);
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  static Path dir;

  static OpenSshServer sshd;
  static Path remote;
  static String bucket;
  static String database;
  static final List<FerryNode> nodes = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    sshd = new OpenSshServer(dir.resolve("sshd"));
    remote = Files.createDirectories(dir.resolve("remote"));
    bucket = s3.createBucket();
    database = postgres.newDatabase();
  }

  @AfterEach
  void stopNodes() throws Exception {
    sshd.delayCurl(null);
    for (FerryNode node : nodes) {
      node.close();
    }
    nodes.clear();
  }

  @AfterAll
  static void stop() {
    if (sshd != null) {
      sshd.close();
    }
  }

  static FerryNode node(String name) throws IOException {
    FerryNode node = FerryNode.start(name, dir.resolve(name), FerryNode.config(dir.resolve(name).resolve("data"), s3,
        FerryNode.sharedStore(database, name, LEASE) + """
        jobs:
          workers: 2
          retryBackoff: 200ms
          pollInterval: 300ms
        shutdown:
          grace: 2s
        users:
          - name: ops
            passwordHash: "%s"
            home: s3://%s/ops/
            permissions: [all]
            admin: true
        """.formatted(HASH, bucket) + EmbeddedFerry.remote("local", sshd, remote)));
    nodes.add(node);
    return node;
  }

  static final NodeAdmin ADMIN = new NodeAdmin(ssh, "ops", PASSWORD);

  /** An admin command over SSH exec on {@code node}, as an operator runs it. */
  static SshExec admin(FerryNode node, String command) throws IOException {
    return ADMIN.run(node, command);
  }

  static String transfer(FerryNode node, String key, Path target, String options) throws IOException {
    return ADMIN.transfer(node, "s3://" + bucket + "/" + key, "local:" + target, options);
  }

  static JsonNode job(FerryNode node, String id) {
    return ADMIN.job(node, id);
  }

  static JsonNode awaitJob(FerryNode node, String id, java.util.function.Predicate<JsonNode> until, Duration timeout,
      String what) {
    return ADMIN.awaitJob(node, id, until, timeout, what);
  }

  static boolean ended(JsonNode job) {
    return NodeAdmin.ended(job);
  }

  static byte[] object(String key, int size) {
    byte[] data = new byte[size];
    new Random(key.hashCode()).nextBytes(data);
    s3.client().putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(data));
    return data;
  }

  static int occurrences(String text, String of) {
    Matcher matcher = Pattern.compile(Pattern.quote(of)).matcher(text);
    int count = 0;
    while (matcher.find()) {
      count++;
    }
    return count;
  }

  /** Until a remote curl for {@code target} runs (here: sleeps in the delayed wrapper) on the remote. */
  static void awaitRemoteCurl(Path target) {
    Await.until(() -> !OpenSshServer.commandsMentioning(target + ".part/").isEmpty(), Duration.ofSeconds(30),
        "a remote curl into " + target + ".part");
  }

  static void assertNoStaging(Path target) {
    Await.until(() -> !Files.exists(Path.of(target + ".part")), Duration.ofSeconds(20),
        "the staging folder of " + target + " to go");
    Await.until(() -> OpenSshServer.commandsMentioning(target + ".part/").isEmpty(), Duration.ofSeconds(20),
        "no remote command left working on " + target + ".part");
  }

  @Test
  void jobsSubmittedOnOneNode_eachRunsExactlyOnce_onEitherNode() throws Exception {
    FerryNode one = node("node-1");
    FerryNode two = node("node-2");
    int count = 12;
    List<byte[]> objects = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      objects.add(object("once/f" + i + ".bin", 300_000 + i));
    }
    Path into = Files.createDirectories(remote.resolve("once"));
    SshExec pushed = admin(one, "push s3://" + bucket + "/once/ local:" + into + " --parts 2 --mode relay --json");
    assertEquals(0, pushed.status(), pushed.err());
    JsonNode created = JSON.readTree(pushed.out()).get("data");
    assertEquals(count, created.size(), pushed.out());

    List<String> ranOn = new ArrayList<>();
    for (JsonNode made : created) {
      String id = made.get("id").asText();
      JsonNode done = awaitJob(two, id, JobsAcrossNodesIT::ended, Duration.ofSeconds(90), "to end, seen on node 2");
      assertEquals("DONE", done.get("state").asText(), done.toString());
      assertEquals(1, done.get("attempts").asInt(), "job " + id + " ran more than once: " + done);
      String node = done.get("node").asText();
      assertTrue(node.equals("node-1") || node.equals("node-2"), done.toString());
      ranOn.add(node);
      int doneLines = occurrences(one.logText(), "job " + id + " done") + occurrences(two.logText(), "job " + id + " done");
      assertEquals(1, doneLines, "job " + id + " was finished by " + doneLines + " nodes");
    }
    for (int i = 0; i < count; i++) {
      assertArrayEquals(objects.get(i), Files.readAllBytes(into.resolve("f" + i + ".bin")), "f" + i + ".bin");
      assertFalse(Files.exists(into.resolve("f" + i + ".bin.part")));
    }
    System.out.println("jobs ran on: " + ranOn);
  }

  @Test
  void nodeKilledMidJob_anotherNodeTakesItOverAndFinishesItExact() throws Exception {
    byte[] data = object("killed/job.bin", 3 * 1024 * 1024 + 1);
    Path target = remote.resolve("killed-job.bin");
    FerryNode doomed = node("node-doomed");
    sshd.delayCurl(Duration.ofSeconds(60));
    String id = transfer(doomed, "killed/job.bin", target, "--parts 3");
    awaitRemoteCurl(target);
    assertEquals("node-doomed", job(doomed, id).get("node").asText());
    FerryNode survivor = node("node-survivor");

    doomed.kill();
    sshd.delayCurl(null);

    JsonNode done = awaitJob(survivor, id, JobsAcrossNodesIT::ended, Duration.ofSeconds(90),
        "to be taken over and end");
    assertEquals("DONE", done.get("state").asText(), done.toString());
    assertEquals("node-survivor", done.get("node").asText());
    assertEquals(2, done.get("attempts").asInt(), done.toString());
    assertArrayEquals(data, Files.readAllBytes(target));
    assertNoStaging(target);
    assertTrue(survivor.logText().contains("job " + id + " (s3://" + bucket + "/killed/job.bin -> local:" + target
        + ") taken over"), "the survivor logs the takeover");
  }

  @Test
  void nodeFrozenPastItsLeaseMidJob_anotherFinishesIt_andTheWokenNodeCommitsNothing() throws Exception {
    byte[] data = object("frozen/job.bin", 2 * 1024 * 1024 + 7);
    Path target = remote.resolve("frozen-job.bin");
    FerryNode sleeper = node("node-sleeper");
    sshd.delayCurl(Duration.ofSeconds(60));
    String id = transfer(sleeper, "frozen/job.bin", target, "--parts 2");
    awaitRemoteCurl(target);
    assertEquals("node-sleeper", job(sleeper, id).get("node").asText());
    FerryNode other = node("node-awake");

    sleeper.freeze();
    JsonNode done;
    try {
      sshd.delayCurl(null);
      done = awaitJob(other, id, JobsAcrossNodesIT::ended, Duration.ofSeconds(90), "to be taken over and end");
    } finally {
      sleeper.wake();
    }
    assertEquals("DONE", done.get("state").asText(), done.toString());
    assertEquals("node-awake", done.get("node").asText());
    assertArrayEquals(data, Files.readAllBytes(target));
    FileTime placed = Files.getLastModifiedTime(target);
    Object inode = Files.getAttribute(target, "unix:ino");

    // The woken node's attempt has unwound once it logs that another node claimed the job while it
    // was silent (from the attempt, or from the release it tried): nothing of it runs after that line.
    Await.until(() -> sleeper.logText().contains("job " + id + ": another node claimed it while this node was silent"),
        Duration.ofSeconds(30), "the woken node to give the job up");
    assertArrayEquals(data, Files.readAllBytes(target), "the woken node changed the finished file");
    assertEquals(placed, Files.getLastModifiedTime(target), "the woken node touched the finished file");
    assertEquals(inode, Files.getAttribute(target, "unix:ino"), "the woken node replaced the finished file");
    assertNoStaging(target);
    JsonNode after = job(sleeper, id);
    assertEquals("DONE", after.get("state").asText(), after.toString());
    assertEquals("node-awake", after.get("node").asText(), "the woken node rewrote the job: " + after);
    assertFalse(sleeper.logText().contains("job " + id + " done"), "the woken node logged the job done too");
  }

  /**
   * The store goes away while a job runs (its progress saves fail) and comes back: the job ends
   * DONE, exact, finished by one node, and its end is in the store.
   */
  @Test
  void postgresRestartedMidJob_theJobEndsDoneOnce() throws Exception {
    byte[] data = object("restart/job.bin", 2 * 1024 * 1024 + 3);
    Path target = remote.resolve("restart-job.bin");
    FerryNode one = node("node-r1");
    FerryNode two = node("node-r2");
    sshd.delayCurl(Duration.ofSeconds(2));
    String id = transfer(one, "restart/job.bin", target, "--parts 2");
    awaitRemoteCurl(target);

    postgres.stop();
    postgres.start();
    sshd.delayCurl(null);

    JsonNode done = awaitJob(two, id, JobsAcrossNodesIT::ended, Duration.ofSeconds(90), "to end after the restart");
    assertEquals("DONE", done.get("state").asText(), done.toString());
    assertArrayEquals(data, Files.readAllBytes(target));
    assertNoStaging(target);
    assertEquals(1, occurrences(one.logText(), "job " + id + " done") + occurrences(two.logText(), "job " + id + " done"),
        "one node finished the job");
  }

  @Test
  void cancelOnOneNode_endsTheJobRunningOnTheOther() throws Exception {
    object("cancel/job.bin", 4 * 1024 * 1024);
    Path target = remote.resolve("cancel-job.bin");
    FerryNode one = node("node-a");
    FerryNode two = node("node-b");
    sshd.delayCurl(Duration.ofSeconds(60));
    String id = transfer(one, "cancel/job.bin", target, "--parts 2");
    awaitRemoteCurl(target);
    JsonNode running = awaitJob(one, id, j -> j.get("state").asText().equals("RUNNING"), Duration.ofSeconds(30),
        "to run");
    String runner = running.get("node").asText();
    FerryNode elsewhere = runner.equals("node-a") ? two : one;
    assertNotEquals(runner, elsewhere.name);

    SshExec cancelled = admin(elsewhere, "cancel " + id);
    assertEquals(0, cancelled.status(), cancelled.out() + cancelled.err());
    assertEquals(id + " CANCELLED", cancelled.out().strip());
    assertFalse(Files.exists(target), "a cancelled job left its destination");
    assertNoStaging(target);
    assertEquals(5, admin(elsewhere, "cancel " + id).status(), "a second cancel is a conflict");
  }
}
