package dev.ferry.core.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.s3.S3Location;
import dev.ferry.core.state.StateStore;
import dev.ferry.core.testing.PostgresTestServer;
import dev.ferry.core.testing.TestStateStores;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Path locks across two nodes sharing a real PostgreSQL: the rules of {@link PathLockTableTest}
 * hold between the nodes, also when both ask at the same moment.
 */
class SharedPathLocksIT {

  @RegisterExtension
  static final PostgresTestServer postgres = new PostgresTestServer();

  private StateStore storeOne;
  private StateStore storeTwo;
  private SharedPathLocks sharedOne;
  private SharedPathLocks sharedTwo;
  private PathLockTable nodeOne;
  private PathLockTable nodeTwo;

  @BeforeEach
  void twoNodes() throws Exception {
    String database = postgres.newDatabase();
    storeOne = TestStateStores.postgres(database, "node-1", Duration.ofSeconds(15));
    storeTwo = TestStateStores.postgres(database, "node-2", Duration.ofSeconds(15));
    sharedOne = new SharedPathLocks(storeOne.database(), storeOne.nodes());
    sharedTwo = new SharedPathLocks(storeTwo.database(), storeTwo.nodes());
    nodeOne = new PathLockTable(sharedOne);
    nodeTwo = new PathLockTable(sharedTwo);
  }

  @AfterEach
  void nothingLeftHeld() {
    assertEquals(0, nodeOne.size(), "locks left on node 1");
    assertEquals(0, nodeTwo.size(), "locks left on node 2");
    sharedOne.close();
    sharedTwo.close();
    storeOne.close();
    storeTwo.close();
  }

  private static S3Location at(String key) {
    return new S3Location("bucket", key);
  }

  @Test
  void keyHeldOnOneNode_busyOnTheOther_namingThePurpose_untilReleased() throws Exception {
    try (PathLock upload = nodeOne.lockKey(at("home/a.txt"), "upload of /a.txt")) {
      PathBusyException busy = assertThrows(PathBusyException.class,
          () -> nodeTwo.lockKey(at("home/a.txt"), "delete of /a.txt"));
      assertTrue(busy.getMessage().contains("upload of /a.txt on node node-1"), busy.getMessage());
      nodeTwo.lockKey(at("home/b.txt"), "upload of /b.txt").close();
    }
    nodeTwo.lockKey(at("home/a.txt"), "delete of /a.txt").close();
  }

  @Test
  void prefixHeldOnOneNode_coversWhatIsUnderIt_onTheOther_andNothingBeside() throws Exception {
    try (PathLock rename = nodeOne.lockPrefix(at("home/dir/"), "rename of /dir")) {
      assertThrows(PathBusyException.class, () -> nodeTwo.lockKey(at("home/dir/sub/f.bin"), "upload"));
      assertThrows(PathBusyException.class, () -> nodeTwo.lockPrefix(at("home/"), "rmdir of /"));
      assertThrows(PathBusyException.class, () -> nodeTwo.lockPrefix(at("home/dir/sub/"), "rmdir of /dir/sub"));
      nodeTwo.lockKey(at("home/dirt.txt"), "upload").close();
      nodeTwo.lockKey(at("home/dir"), "upload of a file named like the folder").close();
      nodeTwo.lockPrefix(at("home/dir2/"), "rename of /dir2").close();
    }
    try (PathLock upload = nodeTwo.lockKey(at("home/dir/sub/f.bin"), "upload")) {
      assertThrows(PathBusyException.class, () -> nodeOne.lockPrefix(at("home/dir/"), "rename of /dir"));
      assertThrows(PathBusyException.class, () -> nodeOne.lockPrefix(at("home/"), "rename of /"));
    }
  }

  @Test
  void renameAcrossBuckets_takesBothOrNeither() throws Exception {
    S3Location source = new S3Location("bucket", "home/a.txt");
    S3Location target = new S3Location("archive", "home/a.txt");
    try (PathLock held = nodeTwo.lockKey(target, "upload")) {
      assertThrows(PathBusyException.class, () -> nodeOne.acquire(
          List.of(nodeOne.newKeyLock(source, "rename"), nodeOne.newKeyLock(target, "rename"))));
      nodeTwo.lockKey(source, "delete").close(); // the source was not left locked
    }
    List<PathLock> both = nodeOne.acquire(List.of(nodeOne.newKeyLock(source, "rename"),
        nodeOne.newKeyLock(target, "rename")));
    assertThrows(PathBusyException.class, () -> nodeTwo.lockKey(source, "delete"));
    assertThrows(PathBusyException.class, () -> nodeTwo.lockKey(target, "delete"));
    both.forEach(PathLock::close);
  }

  /**
   * Six sessions on two nodes ask for the same file (some for its folder) at the same moment, round
   * after round, and hold what they got until all have asked: in each round exactly one gets it.
   */
  @Test
  void samePathAskedOnBothNodesAtOnce_oneHolderAtATime() throws Exception {
    int rounds = 60;
    int sessions = 6;
    AtomicInteger holding = new AtomicInteger();
    AtomicInteger twoAtOnce = new AtomicInteger();
    AtomicInteger[] wonByNode = {new AtomicInteger(), new AtomicInteger()};
    CyclicBarrier together = new CyclicBarrier(sessions);
    ExecutorService pool = Executors.newFixedThreadPool(sessions);
    try {
      List<Future<Integer>> results = new ArrayList<>();
      for (int s = 0; s < sessions; s++) {
        int session = s;
        PathLockTable table = session % 2 == 0 ? nodeOne : nodeTwo;
        results.add(pool.submit(() -> {
          int won = 0;
          for (int round = 0; round < rounds; round++) {
            together.await(10, TimeUnit.SECONDS);
            PathLock lock = null;
            try {
              lock = session % 3 == 2 ? table.lockPrefix(at("home/round-" + round + "/"), "rmdir")
                  : table.lockKey(at("home/round-" + round + "/file.bin"), "upload");
              if (holding.incrementAndGet() > 1) {
                twoAtOnce.incrementAndGet();
              }
              won++;
              wonByNode[session % 2].incrementAndGet();
            } catch (PathBusyException busy) {
              // another session holds it this round
            }
            together.await(10, TimeUnit.SECONDS); // every session has asked; the winner lets go
            if (lock != null) {
              holding.decrementAndGet();
              lock.close();
            }
          }
          return won;
        }));
      }
      int won = 0;
      for (Future<Integer> result : results) {
        won += result.get(60, TimeUnit.SECONDS);
      }
      assertEquals(0, twoAtOnce.get(), "rounds where two sessions held the file at once");
      assertEquals(rounds, won, "one winner per round");
      assertTrue(wonByNode[0].get() > 0 && wonByNode[1].get() > 0,
          "both nodes won rounds: " + wonByNode[0] + " and " + wonByNode[1]);
    } finally {
      pool.shutdownNow();
    }
  }
}
