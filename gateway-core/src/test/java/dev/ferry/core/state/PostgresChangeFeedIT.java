package dev.ferry.core.state;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.s3.ListPage;
import dev.ferry.core.s3.ObjectInfo;
import dev.ferry.core.s3.S3Location;
import dev.ferry.core.store.ListingCache;
import dev.ferry.core.testing.Await;
import dev.ferry.core.testing.PostgresTestServer;
import dev.ferry.core.testing.TestStateStores;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two nodes' listing caches sharing one real PostgreSQL: a node answers from its cache as soon as
 * it has started (its feed listens before the start returns, so no change announced after that is
 * missed), and forgets a folder the other node changed.
 */
class PostgresChangeFeedIT {

  @RegisterExtension
  static final PostgresTestServer postgres = new PostgresTestServer();

  private static final S3Location FOLDER = new S3Location("bucket", "home/docs/");
  private static final S3Location FILE = new S3Location("bucket", "home/docs/a.txt");

  private static ListingCache cacheOn(StateStore state) {
    ListingCache cache = new ListingCache(Clock.systemUTC(), Duration.ofMinutes(1));
    cache.shareThrough(state.changeFeed().orElseThrow());
    return cache;
  }

  private static void listDocs(ListingCache cache) {
    long mark = cache.mark();
    cache.listed(FOLDER, List.of(new ListPage(
        List.of(new ObjectInfo(FILE.key(), 3, Instant.now(), "\"e1\"", Map.of())), List.of(), null)),
        Instant.now(), mark);
  }

  @Test
  void aStartedNodeAnswersFromItsCache_andForgetsWhatAnotherNodeChanged() throws IOException {
    String url = postgres.newDatabase();
    try (StateStore one = TestStateStores.postgres(url, "node-1", Duration.ofSeconds(15));
        StateStore two = TestStateStores.postgres(url, "node-2", Duration.ofSeconds(15))) {
      cacheOn(one);
      ListingCache second = cacheOn(two);
      listDocs(second);
      assertTrue(second.lookup(FILE).isPresent(), "answered from the listing right after the start");

      one.changeFeed().orElseThrow().publish(FILE);

      Await.until(() -> second.lookup(FILE).isEmpty(), Duration.ofSeconds(5),
          "node two to forget the folder node one changed");
    }
  }
}
