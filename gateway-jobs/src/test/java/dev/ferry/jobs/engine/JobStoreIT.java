package dev.ferry.jobs.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.state.StateStore;
import dev.ferry.core.testing.Await;
import dev.ferry.core.testing.PostgresTestServer;
import dev.ferry.core.testing.TestStateStores;
import dev.ferry.jobs.transfer.TransferKind;
import dev.ferry.jobs.transfer.TransferMode;
import dev.ferry.jobs.transfer.TransferSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The jobs table on both state stores with the same statements: claims by several nodes at once
 * give each job to exactly one, a dead owner's job is claimed again and the old claim can change
 * nothing, releases wait until due, cancels end unowned jobs at once and mark owned ones.
 */
class JobStoreIT {

  @RegisterExtension
  static final PostgresTestServer postgres = new PostgresTestServer();

  private static final Duration LEASE = Duration.ofSeconds(30);

  @TempDir
  Path directory;

  static JobRecord queued(String id) {
    return new JobRecord(id, new TransferSpec("bucket", "key/" + id, "host", "/data/" + id, 1, 0,
        TransferMode.DIRECT, false), JobState.QUEUED, 10, 0, 0, 0, 0, null, Instant.now().toString(), null, null,
        null, null, null);
  }

  private StateStore open(String kind, String node) throws IOException {
    return kind.equals("embedded") ? TestStateStores.embedded(directory)
        : TestStateStores.postgres(database, node, LEASE);
  }

  private String database;

  private void newDatabase(String kind) throws IOException {
    database = kind.equals("embedded") ? null : postgres.newDatabase();
  }

  private static long alive(StateStore state) {
    return state.nodes().aliveSince();
  }

  private static Optional<JobStore.Claimed> claim(StateStore state) throws IOException {
    return new JobStore(state.database(), List.of(TransferKind.asStored())).claimNext(state.nodes().selfId(),
        state.nodes().name(), alive(state),
        System.currentTimeMillis());
  }

  /**
   * Two nodes, four claimers each, 300 jobs: every job is claimed exactly once. (A claim that read
   * the owner's liveness through a join claimed about one job in four twice here.)
   */
  @Test
  void concurrentClaimsByTwoNodes_eachJobClaimedOnce() throws Exception {
    newDatabase("postgresql");
    try (StateStore one = open("postgresql", "node-1"); StateStore two = open("postgresql", "node-2")) {
      JobStore jobs = new JobStore(one.database(), List.of(TransferKind.asStored()));
      int count = 300;
      for (int i = 0; i < count; i++) {
        jobs.insert(queued(String.format("job%05d", i)), System.currentTimeMillis());
      }
      ConcurrentLinkedQueue<String> claimed = new ConcurrentLinkedQueue<>();
      ExecutorService claimers = Executors.newFixedThreadPool(8);
      List<Future<?>> running = new ArrayList<>();
      long started = System.nanoTime();
      for (int i = 0; i < 8; i++) {
        StateStore node = i % 2 == 0 ? one : two;
        running.add(claimers.submit(() -> {
          for (Optional<JobStore.Claimed> next = claim(node); next.isPresent(); next = claim(node)) {
            claimed.add(next.get().record().id());
          }
          return null;
        }));
      }
      for (Future<?> claimer : running) {
        claimer.get();
      }
      long millis = (System.nanoTime() - started) / 1_000_000;
      claimers.shutdown();
      Set<String> distinct = new HashSet<>(claimed);
      assertEquals(count, claimed.size(), "claims made");
      assertEquals(count, distinct.size(), "a job was claimed twice");
      System.out.printf("%d claims by 8 claimers on 2 nodes in %d ms%n", count, millis);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"embedded", "postgresql"})
  void ownerAlive_noOtherClaim_ownerDead_claimedAgain_andTheOldClaimChangesNothing(String kind) throws Exception {
    newDatabase(kind);
    try (StateStore one = open(kind, "node-1")) {
      JobStore jobs = new JobStore(one.database(), List.of(TransferKind.asStored()));
      jobs.insert(queued("aaaa00000001"), System.currentTimeMillis());
      JobStore.Claimed first = claim(one).orElseThrow();
      assertEquals(1, first.claim());
      assertEquals(one.nodes().name(), first.record().node());
      assertTrue(claim(one).isEmpty(), "a job held by a live node was claimed again");

      stopHeartbeat(one);
      JobStore.Claimed second = claim(one).orElseThrow();
      assertEquals(2, second.claim());

      JobRecord stale = first.record().withState(JobState.VERIFYING);
      assertEquals(JobStore.Saved.LOST, jobs.save(stale, one.nodes().selfId(), first.claim()));
      assertFalse(jobs.release(stale.withFinished(JobState.DONE, "x"), one.nodes().selfId(), first.claim(), 0));
      assertFalse(jobs.holds(stale.id(), one.nodes().selfId(), first.claim()));
      assertTrue(jobs.holds(stale.id(), one.nodes().selfId(), second.claim()));
      assertEquals(JobState.QUEUED, jobs.find(stale.id()).orElseThrow().state(), "the old claim wrote the job");
    }
  }

  /** Makes the node look silent past its lease, as a killed or frozen node does. */
  private static void stopHeartbeat(StateStore node) throws IOException {
    node.database().run("silencing a node", connection -> {
      try (PreparedStatement update = connection.prepareStatement("UPDATE nodes SET heartbeat_at = 0 WHERE node_id = ?")) {
        update.setString(1, node.nodes().selfId());
        return update.executeUpdate();
      }
    });
  }

  @ParameterizedTest
  @ValueSource(strings = {"embedded", "postgresql"})
  void released_notClaimedBeforeItIsDue_thenClaimedWithTheNextClaimNumber(String kind) throws Exception {
    newDatabase(kind);
    try (StateStore one = open(kind, "node-1")) {
      JobStore jobs = new JobStore(one.database(), List.of(TransferKind.asStored()));
      jobs.insert(queued("bbbb00000001"), System.currentTimeMillis());
      JobStore.Claimed first = claim(one).orElseThrow();
      long due = System.currentTimeMillis() + 800;
      assertTrue(jobs.release(first.record().withError("retry soon"), one.nodes().selfId(), first.claim(), due));

      assertTrue(claim(one).isEmpty(), "claimed before it was due");
      List<JobStore.Claimed> claimed = new ArrayList<>();
      Await.until(() -> {
        try {
          claim(one).ifPresent(claimed::add);
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
        return !claimed.isEmpty();
      }, Duration.ofSeconds(10), "the released job to be claimed once due");
      assertTrue(System.currentTimeMillis() >= due, "claimed before it was due");
      JobStore.Claimed again = claimed.get(0);
      assertEquals(2, again.claim());
      assertEquals("retry soon", again.record().lastError());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"embedded", "postgresql"})
  void cancel_unownedEndsAtOnce_ownedIsLeftToItsOwner_endedIsAConflict(String kind) throws Exception {
    newDatabase(kind);
    try (StateStore one = open(kind, "node-1")) {
      JobStore jobs = new JobStore(one.database(), List.of(TransferKind.asStored()));
      jobs.insert(queued("cccc00000001"), System.currentTimeMillis());
      JobStore.CancelRequest unowned = jobs.requestCancel("cccc00000001", alive(one), "now");
      assertEquals(JobStore.CancelRequest.Outcome.CANCELLED, unowned.outcome());
      assertEquals(JobState.CANCELLED, jobs.find("cccc00000001").orElseThrow().state());
      assertTrue(claim(one).isEmpty(), "a cancelled job was claimed");
      assertEquals(JobStore.CancelRequest.Outcome.ALREADY_ENDED,
          jobs.requestCancel("cccc00000001", alive(one), "now").outcome());
      assertEquals(JobStore.CancelRequest.Outcome.NOT_FOUND, jobs.requestCancel("nosuchjob", alive(one), "now")
          .outcome());

      jobs.insert(queued("cccc00000002"), System.currentTimeMillis());
      JobStore.Claimed held = claim(one).orElseThrow();
      assertEquals(JobStore.CancelRequest.Outcome.LEFT_TO_OWNER,
          jobs.requestCancel("cccc00000002", alive(one), "now").outcome());
      assertEquals(JobStore.Saved.HELD_CANCEL_REQUESTED,
          jobs.save(held.record().withState(JobState.RUNNING), one.nodes().selfId(), held.claim()));
      assertEquals(JobState.RUNNING, jobs.find("cccc00000002").orElseThrow().state(), "the owner ends it, not the request");
    }
  }

  @Test
  void importFiles_ofAFerryBeforeTheStore_onceAndKept(@TempDir Path data) throws Exception {
    try (StateStore one = TestStateStores.embedded(directory)) {
      JobStore jobs = new JobStore(one.database(), List.of(TransferKind.asStored()));
      Path folder = java.nio.file.Files.createDirectories(data.resolve("jobs"));
      java.nio.file.Files.writeString(folder.resolve("dddd00000001.json"),
          JobStore.JSON.writeValueAsString(queued("dddd00000001").withState(JobState.DONE)));
      java.nio.file.Files.writeString(folder.resolve("broken.json"), "{not json");

      assertEquals(1, jobs.importFiles(folder, System.currentTimeMillis()));
      assertEquals(JobState.DONE, jobs.find("dddd00000001").orElseThrow().state());
      assertFalse(java.nio.file.Files.exists(folder));
      assertTrue(java.nio.file.Files.exists(data.resolve("jobs.imported").resolve("broken.json")));
      assertEquals(0, jobs.importFiles(folder, System.currentTimeMillis()), "nothing is left to import");
    }
  }

  /**
   * A transfer stored by a Ferry before there were kinds has no {@code kind}: it reads as the kind
   * stored without one (transfers), and so does a kind no kind here has.
   */
  @Test
  void aSpecWithoutKindOrWithAnUnknownOne_readsAsTheKindStoredWithoutOne() throws Exception {
    try (StateStore one = TestStateStores.embedded(directory)) {
      JobStore jobs = new JobStore(one.database(), List.of(TransferKind.asStored()));
      jobs.insert(queued("eeee00000001"), System.currentTimeMillis());
      jobs.insert(queued("eeee00000002"), System.currentTimeMillis());
      one.database().run("rewriting the kinds", connection -> {
        try (PreparedStatement update = connection.prepareStatement("UPDATE jobs SET record ="
            + " REPLACE(record, '\"kind\":\"transfer\"', CASE job_id WHEN 'eeee00000001' THEN '\"x\":0'"
            + " ELSE '\"kind\":\"gone\"' END)")) {
          return update.executeUpdate();
        }
      });
      long stillTransfer = one.database().run("counting kinds", connection -> {
        try (PreparedStatement select = connection.prepareStatement("SELECT COUNT(*) FROM jobs"
            + " WHERE record LIKE '%\"kind\":\"transfer\"%'"); java.sql.ResultSet row = select.executeQuery()) {
          row.next();
          return row.getLong(1);
        }
      });
      assertEquals(0, stillTransfer, "the rows name no kind, or one no kind here has");
      assertEquals(queued("eeee00000001").spec(), jobs.find("eeee00000001").orElseThrow().spec());
      assertEquals(queued("eeee00000002").spec(), jobs.find("eeee00000002").orElseThrow().spec());
    }
  }

  private static JobRecord queuedAt(String id, String created) {
    JobRecord queued = queued(id);
    return new JobRecord(id, queued.spec(), JobState.QUEUED, 10, 0, 0, 0, 0, null, created, null, null, null, null,
        null);
  }

  @ParameterizedTest
  @ValueSource(strings = {"embedded", "postgresql"})
  void list_newestFirst_aPageAtATime_fromTheLastJobOfThePreviousPage(String kind) throws Exception {
    newDatabase(kind);
    try (StateStore one = open(kind, "node-1")) {
      JobStore jobs = new JobStore(one.database(), List.of(TransferKind.asStored()));
      for (int i = 1; i <= 5; i++) {
        jobs.insert(queuedAt("page0000000" + i, "2026-01-0" + i + "T00:00:00Z"), System.currentTimeMillis());
      }
      assertEquals(List.of("page00000005", "page00000004"), ids(jobs.list(null, 2, null)));
      assertEquals(List.of("page00000003", "page00000002"), ids(jobs.list(null, 2, "page00000004")));
      assertEquals(List.of("page00000001"), ids(jobs.list(null, 2, "page00000002")));
      assertEquals(List.of(), ids(jobs.list(JobState.DONE, 2, null)));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"embedded", "postgresql"})
  void deleteFinishedBefore_removesOnlyJobsThatEndedBeforeTheCutoff(String kind) throws Exception {
    newDatabase(kind);
    try (StateStore one = open(kind, "node-1")) {
      JobStore jobs = new JobStore(one.database(), List.of(TransferKind.asStored()));
      long now = System.currentTimeMillis();
      jobs.insert(queued("old000000001").withFinished(JobState.DONE, "2020-01-01T00:00:00Z"), now);
      jobs.insert(queued("old000000002").withFinished(JobState.FAILED, "2020-01-02T00:00:00Z"), now);
      jobs.insert(queued("new000000001").withFinished(JobState.DONE, Instant.ofEpochMilli(now).toString()), now);
      jobs.insert(queued("open00000001"), now);
      assertEquals(2, jobs.deleteFinishedBefore(now - Duration.ofDays(30).toMillis()));
      assertEquals(Set.of("new000000001", "open00000001"), Set.copyOf(ids(jobs.list(null, 100, null))));
      assertTrue(one.nodes().isHousekeeper(), "the only live node does the housekeeping");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"embedded", "postgresql"})
  void retention_onTheHousekeeper_deletesOldFinishedJobs_andZeroKeepsThem(String kind) throws Exception {
    newDatabase(kind);
    try (StateStore one = open(kind, "node-1")) {
      JobStore jobs = new JobStore(one.database(), List.of(TransferKind.asStored()));
      long now = System.currentTimeMillis();
      jobs.insert(queued("kept00000001").withFinished(JobState.DONE, "2020-01-01T00:00:00Z"), now);
      new JobRetention(jobs, one.nodes(), Duration.ZERO, java.time.Clock.systemUTC()).run();
      assertEquals(List.of("kept00000001"), ids(jobs.list(null, 100, null)), "retention 0s keeps every job");
      new JobRetention(jobs, one.nodes(), Duration.ofDays(30), java.time.Clock.systemUTC()).run();
      assertEquals(List.of(), ids(jobs.list(null, 100, null)), "a job finished in 2020 is past 30 days");
    }
  }

  private static List<String> ids(List<JobRecord> records) {
    return records.stream().map(JobRecord::id).toList();
  }
}
