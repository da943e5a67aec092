package dev.ferry.jobs.transfer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.s3.ObjectFacts;
import dev.ferry.core.s3.S3Location;
import dev.ferry.core.state.StateStore;
import dev.ferry.core.store.ObjectStore;
import dev.ferry.core.testing.Await;
import dev.ferry.core.testing.OpenSshServer;
import dev.ferry.core.testing.S3TestServer;
import dev.ferry.core.testing.TestObjects;
import dev.ferry.core.testing.TestStateStores;
import dev.ferry.jobs.engine.JobRecord;
import dev.ferry.jobs.engine.JobRefusedException;
import dev.ferry.jobs.engine.JobSettings;
import dev.ferry.jobs.engine.JobState;
import dev.ferry.jobs.remote.ConnectionPool;
import dev.ferry.jobs.remote.MinaRemoteConnector;
import dev.ferry.jobs.remote.RemoteException;
import dev.ferry.jobs.remote.RemoteHost;
import dev.ferry.jobs.remote.RemoteSession;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * Transfer jobs against a real OpenSSH sshd (real curl, cat, df, sha256sum on the "remote", which is
 * this machine) and a real S3-API server. Results are read from the remote's disk directly.
 */
class TransferJobsIT {

  static final int MIB = 1024 * 1024;

  @RegisterExtension
  static final S3TestServer s3 = new S3TestServer();

  @TempDir
  static Path dir;

  static OpenSshServer sshd;
  static ObjectStore store;
  static Jobs jobs;
  static StateStore state;
  static String bucket;
  static Path remote;
  static RemoteHost local;
  static final MinaRemoteConnector connector = new MinaRemoteConnector();

  @BeforeAll
  static void start() throws Exception {
    sshd = new OpenSshServer(dir.resolve("sshd"));
    bucket = s3.createBucket();
    remote = Files.createDirectories(dir.resolve("remote"));
    store = new ObjectStore(new ObjectStore.Settings(s3.endpoint(), s3.region(), s3.accessKey(), s3.secretKey(), true,
        32));
    state = TestStateStores.embedded(dir);
    local = host("local", sshd.hostKeyLine);
    jobs = newJobs(state, dir.resolve("jobs"));
    jobs.start();
  }

  static RemoteHost host(String name, String hostKey) {
    return new RemoteHost(name, "127.0.0.1", sshd.port, sshd.user, sshd.clientKey, null, hostKey,
        List.of(remote.toString()));
  }

  static JobSettings settings(Path jobDir) {
    return new JobSettings(jobDir, 2, 3, Duration.ofMillis(200), 0, Duration.ofMillis(300), 4, 64, 8,
        Duration.ofHours(1), Duration.ofMinutes(5), Duration.ofMillis(200));
  }

  /** Jobs on {@code in}: each test that runs a Jobs of its own gives it its own store, where only it claims jobs. */
  static Jobs newJobs(StateStore in, Path jobDir) {
    return new Jobs(settings(jobDir), TestObjects.readingOperations(store, in), in, List.of(local,
        host("impostor", "SHA256:4ZbRbb9sd+Lc4vY4ZKWQ0yrTL0g8JsyJw1O3Yu7PZ5I"),
        host("fingerprinted", sshd.hostKeyFingerprint)), connector, Clock.systemUTC());
  }

  @AfterAll
  static void stop() {
    if (jobs != null) {
      jobs.close();
    }
    connector.close();
    if (store != null) {
      store.close();
    }
    if (sshd != null) {
      sshd.close();
    }
    if (state != null) {
      state.close();
    }
  }

  static byte[] object(String key, int size, boolean withSha256) {
    byte[] data = new byte[size];
    new Random(size * 31L + key.length()).nextBytes(data);
    Map<String, String> metadata = withSha256 ? Map.of("sha256", S3TestServer.sha256Hex(data)) : Map.of();
    s3.client().putObject(b -> b.bucket(bucket).key(key).metadata(metadata), RequestBody.fromBytes(data));
    return data;
  }

  static JobRecord await(Jobs in, String id, Predicate<JobRecord> until, Duration timeout) {
    Await.until(() -> until.test(stored(in, id)), timeout, "job " + id + " to get there");
    return stored(in, id);
  }

  static JobRecord stored(Jobs in, String id) {
    try {
      return in.find(id).orElseThrow();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static JobRecord awaitEnd(Jobs in, String id) throws InterruptedException {
    return await(in, id, j -> j.state().isFinal(), Duration.ofSeconds(60));
  }

  static void assertArrived(Path file, byte[] expected) throws IOException {
    assertTrue(Files.isRegularFile(file), "no file " + file);
    assertArrayEquals(expected, Files.readAllBytes(file), "bytes of " + file);
    assertFalse(Files.exists(Path.of(file + ".part")), "staging folder left behind for " + file);
    Instant modified = Files.getLastModifiedTime(file).toInstant();
    assertTrue(modified.isAfter(Instant.now().minusSeconds(120)), "mtime not set to now: " + modified);
  }

  @ParameterizedTest(name = "{0} {1} bytes in {2} parts")
  @CsvSource({
      "direct, 0, 1", "direct, 0, 4", "direct, 1, 1", "direct, 1, 7", "direct, 52428800, 1",
      "direct, 52428800, 4", "direct, 52428800, 7",
      "relay, 0, 1", "relay, 0, 4", "relay, 1, 1", "relay, 1, 7", "relay, 52428800, 1", "relay, 52428800, 4",
      "relay, 52428800, 7"})
  void transfer_sizeAndParts_byteExactOnRemote(String mode, int size, int parts) throws Exception {
    String key = "objects/" + mode + "-" + size + "-" + parts + ".bin";
    byte[] data = object(key, size, true);
    Path target = remote.resolve(mode).resolve(size + "-" + parts + ".bin");
    JobRecord job = jobs.submit(new TransferRequest("s3://" + bucket + "/" + key, "local:" + target, parts, null,
        TransferMode.valueOf(mode.toUpperCase()), false));
    JobRecord done = awaitEnd(jobs, job.id());
    assertEquals(JobState.DONE, done.state(), done.lastError());
    assertEquals(size, done.bytesDone());
    assertEquals(Math.min(parts, size), done.partsDone());
    assertArrived(target, data);
  }

  @ParameterizedTest
  @CsvSource({"direct", "relay"})
  void transfer_nameWithShellMetacharacters_arrivesVerbatimAndRunsNothing(String mode) throws Exception {
    String name = "we ird 'q' \"dq\" $(touch PWNED) `touch PWNED` ; touch PWNED ; a\nline-" + mode + ".bin";
    byte[] data = object("meta/" + mode + " $(x) 'y'.bin", 300_001, true);
    Path target = Files.createDirectories(remote.resolve("meta dir $(touch PWNED)")).resolve(name);
    JobRecord job = jobs.submit(new TransferRequest(bucket + "/meta/" + mode + " $(x) 'y'.bin",
        "local:" + target, 3, null, TransferMode.valueOf(mode.toUpperCase()), false));
    JobRecord done = awaitEnd(jobs, job.id());
    assertEquals(JobState.DONE, done.state(), done.lastError());
    assertArrived(target, data);
    for (Path where : List.of(remote, target.getParent(), Path.of(System.getProperty("user.home")), Path.of("/"))) {
      assertFalse(Files.exists(where.resolve("PWNED")), "a quoted name ran a command in " + where);
    }
  }

  /**
   * Objects Ferry uploads carry their SHA-256 in its catalog, not in their metadata: the job checks
   * the file on the remote against it. A wrong one there fails the check (and the file is not put
   * in place); the right one passes. A file up to 1 MiB is read back over SFTP and hashed by Ferry,
   * a bigger one hashed by the remote's openssl or sha256sum: both ways are checked.
   */
  @ParameterizedTest
  @ValueSource(ints = {200_000, 2 * MIB + 3})
  void transfer_sha256InTheCatalog_isWhatTheRemoteFileIsCheckedAgainst(int size) throws Exception {
    String key = "catalogued-" + size + ".bin";
    byte[] data = object(key, size, false);
    S3Location source = new S3Location(bucket, key);
    String etag = ObjectStore.await(store.head(source)).orElseThrow().etag();
    TestStateStores.catalog(state).record(source, etag, new ObjectFacts("0".repeat(64), null));
    Path wrongTarget = remote.resolve("wrong-" + key);
    JobRecord wrong = jobs.submit(new TransferRequest(bucket + "/" + key, "local:" + wrongTarget, 2, null,
        TransferMode.DIRECT, false));
    JobRecord failed = awaitEnd(jobs, wrong.id());
    assertEquals(JobState.FAILED, failed.state());
    assertTrue(failed.lastError().contains("SHA-256 check"), failed.lastError());
    assertFalse(Files.exists(wrongTarget), "a file that failed its check was put in place");

    TestStateStores.catalog(state).record(source, etag, new ObjectFacts(S3TestServer.sha256Hex(data), null));
    Path target = remote.resolve(key);
    JobRecord right = jobs.submit(new TransferRequest(bucket + "/" + key, "local:" + target, 2, null,
        TransferMode.DIRECT, false));
    assertEquals(JobState.DONE, awaitEnd(jobs, right.id()).state());
    assertArrived(target, data);
  }

  /**
   * The remote's hash that follows a file as its parts land: parts landing in any order are read in
   * file order, so the hash is the whole file's; a part that never landed, or a file the remote
   * cannot read, gives no hash (the file is then read whole), and the command is gone either way.
   */
  @Test
  void followingHash_partsLandInAnyOrder_theWholeFilesSha256_elseNone() throws Exception {
    byte[] data = new byte[5 * MIB + 7];
    new Random(11).nextBytes(data);
    Path file = Files.write(remote.resolve("followed 'q' $(x).bin"), data);
    List<PartRange> parts = PartRange.split(data.length, 12);
    List<Integer> order = new ArrayList<>(List.of(11, 3, 0, 7, 1, 2, 10, 4, 6, 5, 9, 8));
    try (RemoteSession session = connector.connect(local)) {
      FollowingHash hash = FollowingHash.start(session, file.toString(), parts);
      assertNotNull(hash);
      order.forEach(hash::landed);
      assertEquals(S3TestServer.sha256Hex(data), hash.finish(Duration.ofMinutes(1)));

      FollowingHash missingPart = FollowingHash.start(session, file.toString(), parts);
      order.stream().filter(i -> i != 5).forEach(missingPart::landed);
      assertNull(missingPart.finish(Duration.ofMinutes(1)), "a hash without part 5");

      FollowingHash gone = FollowingHash.start(session, remote.resolve("no such file").toString(), parts);
      order.forEach(gone::landed);
      assertNull(gone.finish(Duration.ofMinutes(1)), "a hash of a file that is not there");
      session.markReusable();
    }
    Await.until(() -> OpenSshServer.commandsMentioning("followed 'q'").isEmpty()
        && OpenSshServer.commandsMentioning("no such file").isEmpty(), Duration.ofSeconds(10),
        "the hashing commands to end");
  }

  /**
   * What a later attempt keeps of a relay: a range recorded without a hash (the object's SHA-256
   * checks the whole file) while the staging file reaches past it; a range recorded with its hash
   * (no SHA-256 of the object known) while the remote hashes it to the same, so a spoiled one is
   * fetched again.
   */
  @Test
  void relayKeptRange_checkedBySizeUnderAWholeFileHash_elseByItsOwnHash() throws Exception {
    RemoteStaging staging = new RemoteStaging(remote.resolve("relay-kept.bin").toString(), 3);
    Files.createDirectories(Path.of(staging.folder()));
    byte[] data = new byte[3 * MIB];
    new Random(5).nextBytes(data);
    Path file = Files.write(Path.of(staging.file()), data);
    PartRange second = PartRange.split(data.length, 3).get(1);
    String secondSha256 = S3TestServer.sha256Hex(java.util.Arrays.copyOfRange(data, (int) second.first(),
        (int) (second.first() + second.length())));
    RelayTransfer relay = new RelayTransfer(null);
    KeptParts.Part bySize = new KeptParts.Part(1, second.length(), null, null);
    KeptParts.Part byHash = new KeptParts.Part(1, second.length(), secondSha256, null);
    Duration timeout = Duration.ofMinutes(1);
    try (RemoteSession session = connector.connect(local)) {
      assertTrue(relay.stillHolds(session, staging, bySize, second.first(), timeout));
      assertTrue(relay.stillHolds(session, staging, byHash, second.first(), timeout));
      data[(int) second.first() + 10] ^= 1;
      Files.write(file, data);
      assertTrue(relay.stillHolds(session, staging, bySize, second.first(), timeout), "the whole file's hash finds it");
      assertFalse(relay.stillHolds(session, staging, byHash, second.first(), timeout), "a spoiled range kept");
      Files.write(file, java.util.Arrays.copyOf(data, (int) second.last()));
      assertFalse(relay.stillHolds(session, staging, bySize, second.first(), timeout), "a range past the file's end");
      session.markReusable();
    }
  }

  /**
   * A relay kept by a Ferry that cut the object into 4 parts, taken on by one that cuts it into
   * 32: the same ETag and size, but not the same parts, so it starts over and says why, with the
   * staging folder emptied.
   */
  @Test
  void takeover_partsOfAnotherCut_startOverSayingSo() throws Exception {
    long size = 1L << 30;
    RemoteStaging staging = new RemoteStaging(remote.resolve("recut.bin").toString(), 2);
    RemoteStaging before = new RemoteStaging(staging.destination(), 1);
    Files.createDirectories(Path.of(before.folder()));
    Files.write(Path.of(before.file()), new byte[1024]);
    KeptParts earlier = new KeptParts("\"etag\"", size, 4, 1, List.of(new KeptParts.Part(0, size / 4, "ab".repeat(32),
        null)), 0, 0, 0);
    ExecutorService pool = Executors.newCachedThreadPool();
    try (RemoteSession session = connector.connect(local)) {
      StagingTakeover.Outcome outcome = new StagingTakeover(session, new RelayTransfer(null), settings(dir), pool)
          .prepare(staging, earlier, "\"etag\"", PartRange.inRounds(size, 4), size, "s3://b/recut.bin");
      assertEquals("started over: its 1 kept part(s) are of 4 parts, and this attempt cuts s3://b/recut.bin into 32",
          outcome.note());
      assertTrue(outcome.parts().parts().isEmpty(), outcome.toString());
      assertEquals(32, outcome.parts().partCount());
      assertFalse(Files.exists(Path.of(before.folder())), "the earlier claim's folder is left");
      assertTrue(Files.isDirectory(Path.of(staging.folder())), "no folder for this claim");
      session.markReusable();
    } finally {
      pool.shutdownNow();
      Files.walk(Path.of(staging.root())).sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @Test
  void transfer_hostKeyByFingerprint_accepted() throws Exception {
    byte[] data = object("fp.bin", 1000, false);
    Path target = remote.resolve("fp.bin");
    JobRecord job = jobs.submit(new TransferRequest(bucket + "/fp.bin", "fingerprinted:" + target, 2, null,
        TransferMode.DIRECT, false));
    assertEquals(JobState.DONE, awaitEnd(jobs, job.id()).state());
    assertArrived(target, data);
  }

  @Test
  void transfer_hostKeyMismatch_failsAtOnceWithoutRetry() throws Exception {
    object("mismatch.bin", 10, false);
    Path target = remote.resolve("mismatch.bin");
    JobRecord job = jobs.submit(new TransferRequest(bucket + "/mismatch.bin", "impostor:" + target, 1, null,
        TransferMode.DIRECT, false));
    JobRecord failed = awaitEnd(jobs, job.id());
    assertEquals(JobState.FAILED, failed.state());
    assertEquals(1, failed.attempts());
    assertTrue(failed.lastError().contains("host key"), failed.lastError());
    assertFalse(Files.exists(target));
  }

  @Test
  void freeSpace_thresholdAboveFree_waitsShowsFigureThenCancelLeavesNothing() throws Exception {
    byte[] data = object("gated.bin", 4096, false);
    FileStore disk = Files.getFileStore(remote);
    double freePercent = disk.getUsableSpace() * 100.0 / disk.getTotalSpace();
    double above = Math.min(100, Math.floor(freePercent) + 1);
    Path target = remote.resolve("gated.bin");
    JobRecord job = jobs.submit(new TransferRequest(bucket + "/gated.bin", "local:" + target, 2, above,
        TransferMode.DIRECT, false));
    JobRecord waiting = await(jobs, job.id(), j -> j.state() == JobState.WAITING_FOR_SPACE,
        Duration.ofSeconds(30));
    assertNotNull(waiting.lastFreeSpace());
    assertTrue(waiting.lastFreeSpace().percentFree() <= above);
    // It keeps re-checking (the interval is 300 ms here) and keeps waiting.
    String firstMeasure = waiting.freeSpaceMeasured();
    JobRecord rechecked = await(jobs, job.id(), j -> !firstMeasure.equals(j.freeSpaceMeasured()),
        Duration.ofSeconds(10));
    assertEquals(JobState.WAITING_FOR_SPACE, rechecked.state());

    JobRecord cancelled = jobs.cancel(job.id(), Duration.ofSeconds(10));
    assertEquals(JobState.CANCELLED, cancelled.state());
    assertFalse(Files.exists(target));
    assertFalse(Files.exists(Path.of(target + ".part")));

    JobRecord lower = jobs.submit(new TransferRequest(bucket + "/gated.bin", "local:" + target, 2, 0.5,
        TransferMode.DIRECT, false));
    JobRecord done = awaitEnd(jobs, lower.id());
    assertEquals(JobState.DONE, done.state(), done.lastError());
    assertNotNull(done.lastFreeSpace());
    assertArrived(target, data);
  }

  @Test
  void freeSpace_emptyThreshold_notMeasured() throws Exception {
    object("unchecked.bin", 10, false);
    JobRecord job = jobs.submit(new TransferRequest(bucket + "/unchecked.bin", "local:" + remote.resolve("unchecked.bin"),
        1, null, TransferMode.RELAY, false));
    JobRecord done = awaitEnd(jobs, job.id());
    assertEquals(JobState.DONE, done.state());
    assertNull(done.lastFreeSpace());
  }

  @Test
  void transfer_existingDestination_refusedUnlessOverwrite() throws Exception {
    byte[] data = object("exists.bin", 2000, false);
    Path target = remote.resolve("exists.bin");
    Files.writeString(target, "old");
    JobRecord refused = awaitEnd(jobs, jobs.submit(new TransferRequest(bucket + "/exists.bin", "local:" + target, 2,
        null, TransferMode.DIRECT, false)).id());
    assertEquals(JobState.FAILED, refused.state());
    assertTrue(refused.lastError().contains("already exists"), refused.lastError());
    assertEquals("old", Files.readString(target));
    JobRecord replaced = awaitEnd(jobs, jobs.submit(new TransferRequest(bucket + "/exists.bin", "local:" + target, 2,
        null, TransferMode.DIRECT, true)).id());
    assertEquals(JobState.DONE, replaced.state(), replaced.lastError());
    assertArrived(target, data);
  }

  @Test
  void submit_badRequests_refusedAndNoJobCreated() throws Exception {
    object("there.bin", 1, false);
    int before = jobs.list(null).size();
    assertEquals(JobRefusedException.Reason.UNKNOWN_HOST, assertThrows(JobRefusedException.class,
        () -> jobs.submit(new TransferRequest(bucket + "/there.bin", "nohost:" + remote.resolve("x"), 1, null,
            TransferMode.DIRECT, false))).reason());
    assertEquals(JobRefusedException.Reason.NOT_FOUND, assertThrows(JobRefusedException.class,
        () -> jobs.submit(new TransferRequest(bucket + "/missing.bin", "local:" + remote.resolve("x"), 1, null,
            TransferMode.DIRECT, false))).reason());
    assertEquals(JobRefusedException.Reason.BAD_ARGUMENT, assertThrows(JobRefusedException.class,
        () -> jobs.submit(new TransferRequest(bucket + "/there.bin", "local:relative/x", 1, null,
            TransferMode.DIRECT, false))).reason());
    assertEquals(JobRefusedException.Reason.NOT_ALLOWED, assertThrows(JobRefusedException.class,
        () -> jobs.submit(new TransferRequest(bucket + "/there.bin", "local:/etc/x", 1, null,
            TransferMode.DIRECT, false))).reason());
    assertEquals(before, jobs.list(null).size());
  }

  /**
   * What a Ferry before the state store left when it was killed mid-transfer: a job file that says
   * RUNNING and a staging folder with a partial part. The file is imported into the store at start
   * and the job starts over, after the partial files are removed.
   */
  @Test
  void restart_jobFileOfAFerryBeforeTheStore_importedAndResumedAfterCleaningPartials() throws Exception {
    byte[] data = object("resume.bin", 3 * MIB + 5, true);
    Path target = remote.resolve("resume.bin");
    Path jobDir = Files.createDirectories(dir.resolve("crashed-jobs"));
    Path staging = Files.createDirectories(Path.of(target + ".part"));
    Files.writeString(staging.resolve("part-0"), "partial bytes of a dead attempt");
    JobRecord running = new JobRecord("deadbeef0001", new TransferSpec(bucket, "resume.bin", "local",
        target.toString(), 3, 0, TransferMode.DIRECT, false), JobState.RUNNING, data.length, 1000, 0, 3, 1, null,
        Instant.now().toString(), Instant.now().toString(), null, null, null, null);
    Files.writeString(jobDir.resolve("deadbeef0001.json"), new com.fasterxml.jackson.databind.ObjectMapper()
        .writeValueAsString(running));
    try (StateStore own = TestStateStores.embedded(dir.resolve("crashed-state"));
        Jobs restarted = newJobs(own, jobDir)) {
      restarted.start();
      JobRecord done = awaitEnd(restarted, "deadbeef0001");
      assertEquals(JobState.DONE, done.state(), done.lastError());
      assertEquals(2, done.attempts());
      assertArrived(target, data);
    }
    assertFalse(Files.exists(jobDir), "the imported job folder stays where the next start would import it again");
    assertTrue(Files.exists(jobDir.resolveSibling("crashed-jobs.imported").resolve("deadbeef0001.json")));
  }

  @ParameterizedTest
  @CsvSource({"direct", "relay"})
  void transfer_connectionKilledMidTransfer_retriedAndExact(String mode) throws Exception {
    byte[] data = object("killed-" + mode + ".bin", 64 * MIB, false);
    Path target = remote.resolve("killed-" + mode + ".bin");
    sshd.delayCurl(Duration.ofSeconds(2));
    try {
      JobRecord job = jobs.submit(new TransferRequest(bucket + "/killed-" + mode + ".bin", "local:" + target, 2,
          null, TransferMode.valueOf(mode.toUpperCase()), false));
      awaitUnderWay(target);
      sshd.delayCurl(null);
      sshd.killConnections();
      JobRecord done = awaitEnd(jobs, job.id());
      assertEquals(JobState.DONE, done.state(), done.lastError());
      assertTrue(done.attempts() >= 2, "the killed attempt was not retried: " + done);
      assertArrived(target, data);
    } finally {
      sshd.delayCurl(null);
    }
  }

  /**
   * Two parts over one channel: part 0 is fetched whole before the overwrite, part 1 after it, so
   * without the If-Match pin the file would join two versions. No SHA-256 is recorded and both
   * versions have the same size, so only the pin can catch the mix.
   */
  @Test
  void transfer_objectOverwrittenMidTransfer_retriedAndTheNewVersionArrivesWhole() throws Exception {
    object("overwritten.bin", 24 * MIB, false);
    Path target = remote.resolve("overwritten.bin");
    JobSettings oneChannel = settings(dir.resolve("one-channel-jobs"));
    oneChannel = new JobSettings(oneChannel.directory(), 1, 3, oneChannel.retryBackoff(), 0,
        oneChannel.freeSpaceRecheck(), 2, 64, 1, oneChannel.presignValidity(), oneChannel.commandTimeout(),
        oneChannel.pollInterval());
    // Each curl waits this long before it fetches: the window in which part 0 is whole and part 1 not
    // begun. 2 s was once missed in a full CI run on two busy CPUs.
    sshd.delayCurl(Duration.ofSeconds(5));
    try (StateStore own = TestStateStores.embedded(dir.resolve("one-channel-state"));
        Jobs serial = new Jobs(oneChannel, TestObjects.readingOperations(store, own), own, List.of(local), connector, Clock.systemUTC())) {
      serial.start();
      JobRecord job = serial.submit(new TransferRequest(bucket + "/overwritten.bin", "local:" + target, 2, null,
          TransferMode.DIRECT, false));
      // The attempt's claim folder: claim-1 unless a first attempt failed early on a busy machine.
      Path staging = Path.of(target + ".part");
      AtomicReference<Path> claim = new AtomicReference<>();
      Await.until(() -> {
        JobRecord now = stored(serial, job.id());
        if (now.state().isFinal()) {
          throw new AssertionError("the job ended before part 0 was seen whole: " + now);
        }
        try (Stream<Path> claims = Files.list(staging)) {
          claims.filter(c -> Files.exists(c.resolve("part-0.headers")) && Files.exists(c.resolve("overwritten.bin"))
              && c.resolve("overwritten.bin").toFile().length() == 12 * MIB).findFirst().ifPresent(claim::set);
        } catch (IOException | UncheckedIOException notYet) {
          return false;
        }
        return claim.get() != null;
      }, Duration.ofSeconds(60), "part 0 fetched whole");
      byte[] newer = new byte[24 * MIB];
      new Random(7).nextBytes(newer);
      s3.client().putObject(b -> b.bucket(bucket).key("overwritten.bin"), RequestBody.fromBytes(newer));
      sshd.delayCurl(null);
      assertFalse(Files.exists(claim.get().resolve("part-1.headers")),
          "part 1 was fetched before the overwrite: the test would prove nothing");
      assertEquals(12 * MIB, claim.get().resolve("overwritten.bin").toFile().length(),
          "part 1 was fetched before the overwrite: the test would prove nothing");
      JobRecord done = awaitEnd(serial, job.id());
      assertEquals(JobState.DONE, done.state(), done.lastError());
      assertTrue(done.attempts() >= 2, "an attempt that read two versions must not succeed: " + done);
      assertArrived(target, newer);
    } finally {
      sshd.delayCurl(null);
    }
  }

  /**
   * Tiny jobs one after another share one SSH connection and its SFTP channels: the remote's sshd
   * sees at most one new login, and at most two SFTP channels started (the connection's own and the
   * one a writer keeps for the next), not one more per job.
   */
  @Test
  void tinyJobsInARow_reuseOneConnection() throws Exception {
    long loginsBefore = sshd.logins();
    long sftpBefore = sshd.sftpStarts();
    for (int i = 0; i < 5; i++) {
      byte[] data = object("tiny/" + i + ".bin", 100 + i, true);
      Path target = remote.resolve("tiny-" + i + ".bin");
      JobRecord job = jobs.submit(new TransferRequest(bucket + "/tiny/" + i + ".bin", "local:" + target, 1, null,
          TransferMode.RELAY, false));
      JobRecord done = awaitEnd(jobs, job.id());
      assertEquals(JobState.DONE, done.state(), done.lastError());
      assertArrived(target, data);
    }
    assertTrue(sshd.logins() - loginsBefore <= 1, "logins for 5 jobs in a row: " + (sshd.logins() - loginsBefore));
    assertTrue(sshd.sftpStarts() - sftpBefore <= 2, "SFTP channels for 5 jobs in a row: "
        + (sshd.sftpStarts() - sftpBefore));
  }

  /**
   * A session marked reusable gives its connection to the next; one that is not (a failure, a
   * cancel) closes it; an idle one closes after the idle time; a closed session does nothing more.
   */
  @Test
  void connectionPool_reuseCloseAndIdleTime() throws Exception {
    try (MinaRemoteConnector pooled = new MinaRemoteConnector(new ConnectionPool(2, Duration.ofSeconds(1)))) {
      long loginsBefore = sshd.logins();
      RemoteSession first = pooled.connect(local);
      assertTrue(first.exists(remote.toString()));
      first.markReusable();
      first.close();
      assertEquals(1, pooled.idleConnections());
      RemoteException closed = assertThrows(RemoteException.class, () -> first.exists(remote.toString()));
      assertTrue(closed.getMessage().contains("is closed"), closed.getMessage());

      RemoteSession second = pooled.connect(local);
      assertEquals(0, pooled.idleConnections(), "the idle connection is lent");
      assertTrue(second.exec("true", Duration.ofSeconds(10)).ok());
      second.close();
      assertEquals(0, pooled.idleConnections(), "a session not marked reusable closes its connection");
      assertEquals(1, sshd.logins() - loginsBefore, "the second session used the first one's connection");

      RemoteSession third = pooled.connect(local);
      third.markReusable();
      third.close();
      assertEquals(1, pooled.idleConnections());
      Await.until(() -> pooled.idleConnections() == 0, Duration.ofSeconds(10), "the idle connection to close");
    }
  }

  /**
   * Jobs to the same new folder run at once on connections of their own, each making the missing
   * parents: one that finds its parent made by another meanwhile still makes its folder (the full
   * run once failed "mkdir .../pushed/a failed: No such file" for such a job).
   */
  @Test
  void mkdirs_byConcurrentSessionsUnderOneMissingParent_allMakeTheirFolders() throws Exception {
    int sessions = 4;
    List<RemoteSession> open = new ArrayList<>();
    ExecutorService threads = Executors.newFixedThreadPool(sessions);
    try {
      for (int i = 0; i < sessions; i++) {
        open.add(connector.connect(local));
      }
      for (int round = 0; round < 25; round++) {
        String base = remote.resolve("concurrent-" + round + "/deep").toString();
        CyclicBarrier start = new CyclicBarrier(sessions);
        List<Future<?>> made = new ArrayList<>();
        for (int i = 0; i < sessions; i++) {
          RemoteSession session = open.get(i);
          String folder = base + "/" + (char) ('a' + i);
          made.add(threads.submit(() -> {
            start.await(10, TimeUnit.SECONDS);
            session.mkdirs(folder);
            return null;
          }));
        }
        for (Future<?> one : made) {
          one.get(30, TimeUnit.SECONDS);
        }
        for (int i = 0; i < sessions; i++) {
          assertTrue(Files.isDirectory(Path.of(base + "/" + (char) ('a' + i))), "round " + round + ", folder " + i);
        }
      }
    } finally {
      threads.shutdownNow();
      for (RemoteSession session : open) {
        session.close();
      }
    }
  }

  /** Waits until the transfer is under way: a remote command works in the staging folder, or bytes are in it. */
  static void awaitUnderWay(Path target) {
    Path staging = Path.of(target + ".part");
    Await.until(() -> {
      if (!OpenSshServer.commandsMentioning(staging + "/").isEmpty()) {
        return true;
      }
      try (var files = Files.walk(staging)) {
        return files.anyMatch(f -> Files.isRegularFile(f) && f.toFile().length() > 0);
      } catch (IOException | java.io.UncheckedIOException notYet) {
        return false;
      }
    }, Duration.ofSeconds(30), "the transfer into " + staging + " to be under way");
  }

  @Test
  void restart_jobsStoppedMidTransfer_resumeFromTheStoreAndFinishExact() throws Exception {
    byte[] data = object("stopped.bin", 40 * MIB, true);
    Path target = remote.resolve("stopped.bin");
    Path jobDir = dir.resolve("stopped-jobs");
    String id;
    try (StateStore own = TestStateStores.embedded(dir.resolve("stopped-state"))) {
      try (Jobs first = newJobs(own, jobDir)) {
        first.start();
        id = first.submit(new TransferRequest(bucket + "/stopped.bin", "local:" + target, 1, null, TransferMode.RELAY,
            false)).id();
        await(first, id, j -> j.bytesDone() > 0 || j.state().isFinal(), Duration.ofSeconds(30));
      }
      try (Jobs second = newJobs(own, jobDir)) {
        JobRecord stored = second.find(id).orElseThrow();
        assertEquals(JobState.RUNNING, stored.state(), "a job stopped mid-transfer stays RUNNING in the store");
        assertFalse(Files.exists(target));
        second.start();
        JobRecord done = awaitEnd(second, id);
        assertEquals(JobState.DONE, done.state(), done.lastError());
        assertArrived(target, data);
      }
    }
  }

  @ParameterizedTest
  @CsvSource({"direct", "relay"})
  void cancel_runningTransfer_endsCancelledLeavingNoFileNoStagingAndNoRemoteProcess(String mode) throws Exception {
    object("cancelled-" + mode + ".bin", 64 * MIB, false);
    Path target = remote.resolve("cancelled-" + mode + ".bin");
    sshd.delayCurl(Duration.ofSeconds(30));
    try {
      JobRecord job = jobs.submit(new TransferRequest(bucket + "/cancelled-" + mode + ".bin", "local:" + target, 2,
          null, TransferMode.valueOf(mode.toUpperCase()), false));
      awaitUnderWay(target);
      JobRecord cancelled = jobs.cancel(job.id(), Duration.ofSeconds(20));
      assertEquals(JobState.CANCELLED, cancelled.state(), cancelled.toString());
      assertFalse(Files.exists(target), "a cancelled job left its destination");
      assertFalse(Files.exists(Path.of(target + ".part")), "a cancelled job left its staging folder");
      // A remote curl that ran on would keep downloading into a deleted file, unseen.
      try {
        Await.until(() -> OpenSshServer.commandsMentioning(target + ".part").isEmpty(), Duration.ofSeconds(10),
            "the remote to stop fetching for the cancelled job");
      } catch (AssertionError stillRunning) {
        throw new AssertionError(stillRunning.getMessage() + ": " + OpenSshServer.commandsMentioning(target + ".part"));
      }
      assertEquals(JobRefusedException.Reason.CONFLICT, assertThrows(JobRefusedException.class,
          () -> jobs.cancel(job.id(), Duration.ofSeconds(1))).reason());
    } finally {
      sshd.delayCurl(null);
    }
  }
}
