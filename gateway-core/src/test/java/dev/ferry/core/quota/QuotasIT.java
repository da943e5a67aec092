package dev.ferry.core.quota;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.s3.S3Location;
import dev.ferry.core.state.StateStore;
import dev.ferry.core.store.ObjectStore;
import dev.ferry.core.testing.PostgresTestServer;
import dev.ferry.core.testing.S3TestServer;
import dev.ferry.core.testing.TestStateStores;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Quota usage in a real PostgreSQL shared by two nodes, over a home in a real S3-API server: the
 * first use counts the home, uploads racing on both nodes for the last bytes cannot together take
 * more than the quota, a node's shares stop counting once it is gone, and a recount finds what
 * other S3 clients changed.
 */
class QuotasIT {

  private static final long MIB = 1024 * 1024;

  @RegisterExtension
  static final PostgresTestServer postgres = new PostgresTestServer();

  @RegisterExtension
  static final S3TestServer s3 = new S3TestServer();

  private static ObjectStore.Settings settings() {
    return new ObjectStore.Settings(s3.endpoint(), s3.region(), s3.accessKey(), s3.secretKey(), true, 16);
  }

  @Test
  void twoNodesRacingForTheLastBytes_takeNoMoreThanTheQuotaTogether() throws Exception {
    String bucket = s3.createBucket();
    s3.put(bucket, "alice/before.bin", new byte[(int) MIB]);
    S3Location home = new S3Location(bucket, "alice/");
    QuotaLimit limit = new QuotaLimit(64 * MIB, 0);
    String url = postgres.newDatabase();
    try (StateStore one = TestStateStores.postgres(url, "node-1", Duration.ofSeconds(15));
         StateStore two = TestStateStores.postgres(url, "node-2", Duration.ofSeconds(15));
         ObjectStore store = new ObjectStore(settings())) {
      Quotas first = new Quotas(one.database(), one.nodes(), store, Clock.systemUTC());
      Quotas second = new Quotas(two.database(), two.nodes(), store, Clock.systemUTC());
      assertEquals(MIB, first.usage("alice", home, limit).bytes(), "the first use counts what the home holds");

      ExecutorService racers = Executors.newFixedThreadPool(8);
      List<Future<Long>> taken = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        Quotas node = i % 2 == 0 ? first : second;
        Callable<Long> racer = () -> {
          long mine = 0;
          while (node.reserve("alice", home, limit, 3 * MIB, 0)) {
            mine += 3 * MIB;
          }
          return mine;
        };
        taken.add(racers.submit(racer));
      }
      long total = 0;
      for (Future<Long> racer : taken) {
        total += racer.get();
      }
      racers.shutdown();

      assertEquals(63 * MIB, total, "21 shares of 3 MiB fit beside the 1 MiB there, and no more");
      QuotaUsage usage = second.usage("alice", home, limit);
      assertEquals(63 * MIB, usage.reservedBytes());
      assertEquals(0, usage.freeBytes());
      assertFalse(first.reserve("alice", home, limit, 1, 0));

      first.release("alice", 30 * MIB, 0);
      assertTrue(second.reserve("alice", home, limit, 30 * MIB, 0), "what one node gives back, the other may take");
      second.settle("alice", 30 * MIB, 0, 10 * MIB, 1);
      assertEquals(11 * MIB, first.usage("alice", home, limit).bytes(), "a commit's real size is what counts");
    }
  }

  @Test
  void recount_findsWhatOtherS3ClientsChanged_andSaysTheDrift() throws Exception {
    String bucket = s3.createBucket();
    S3Location home = new S3Location(bucket, "bob/");
    QuotaLimit limit = new QuotaLimit(0, 10);
    try (StateStore state = TestStateStores.postgres(postgres.newDatabase(), "node-1", Duration.ofSeconds(15));
         ObjectStore store = new ObjectStore(settings())) {
      Quotas quotas = new Quotas(state.database(), state.nodes(), store, Clock.systemUTC());
      assertEquals(0, quotas.usage("bob", home, limit).files());
      s3.put(bucket, "bob/a.txt", new byte[10]);
      s3.put(bucket, "bob/sub/b.txt", new byte[20]);
      s3.put(bucket, "bob/sub/", new byte[0]);

      Quotas.Recount recount = quotas.recount("bob", home, limit);

      assertEquals(0, recount.before().files());
      assertEquals(2, recount.after().files(), "two files; the directory marker is no file");
      assertEquals(30, recount.after().bytes());
    }
  }

  @Test
  void recount_oneAtATimeAcrossNodes_aGoneNodesClaimLapses() throws Exception {
    String bucket = s3.createBucket();
    S3Location home = new S3Location(bucket, "carol/");
    QuotaLimit limit = new QuotaLimit(0, 10);
    String url = postgres.newDatabase();
    try (StateStore two = TestStateStores.postgres(url, "node-2", Duration.ofSeconds(15));
         ObjectStore store = new ObjectStore(settings())) {
      Quotas second = new Quotas(two.database(), two.nodes(), store, Clock.systemUTC());
      String firstNode;
      try (StateStore one = TestStateStores.postgres(url, "node-1", Duration.ofSeconds(15))) {
        firstNode = one.nodes().selfId();
        Quotas first = new Quotas(one.database(), one.nodes(), store, Clock.systemUTC());
        first.claimScan("carol");

        QuotaScanBusyException busy = assertThrows(QuotaScanBusyException.class,
            () -> second.recount("carol", home, limit));
        assertTrue(busy.getMessage().contains("node-1"), busy.getMessage());
        assertThrows(QuotaScanBusyException.class, () -> first.recount("carol", home, limit), "on its own node too");

        first.releaseScan("carol");
        assertEquals(0, second.recount("carol", home, limit).after().files(), "free once the first one ends");
        first.claimScan("carol");
      }
      two.database().transaction("node-1, closed, heard of no more", connection -> {
        try (java.sql.PreparedStatement gone = connection.prepareStatement(
            "UPDATE nodes SET heartbeat_at = 0 WHERE node_id = ?")) {
          gone.setString(1, firstNode);
          gone.executeUpdate();
        }
        return null;
      });
      assertEquals(0, second.recount("carol", home, limit).after().files(), "a dead node's scan no longer holds");
    }
  }
}
