package dev.ferry.core.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.s3.ObjectFacts;
import dev.ferry.core.s3.S3Location;
import dev.ferry.core.state.StateStore;
import dev.ferry.core.state.StateStoreException;
import dev.ferry.core.state.StateStoreSettings;
import dev.ferry.core.testing.FreePorts;
import dev.ferry.core.testing.MutableClock;
import dev.ferry.core.testing.PostgresTestServer;
import dev.ferry.core.testing.TestStateStores;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The object catalog on both state stores, the embedded SQLite file and a real PostgreSQL server,
 * with the same statements: what one records the other finds the same way.
 */
class ObjectCatalogIT {

  @RegisterExtension
  static final PostgresTestServer postgres = new PostgresTestServer();

  private static final S3Location FILE = new S3Location("bucket", "dir/file.bin");
  private static final String SHA = "5e".repeat(32);

  @TempDir
  Path directory;

  private StateStore open(String kind) throws IOException {
    return kind.equals("embedded") ? TestStateStores.embedded(directory)
        : TestStateStores.postgres(postgres.newDatabase(), "node-1", Duration.ofSeconds(15));
  }

  @ParameterizedTest
  @ValueSource(strings = {"embedded", "postgresql"})
  void record_thenFind_onlyForThatEtag(String kind) throws IOException {
    try (StateStore state = open(kind)) {
      ObjectCatalog catalog = TestStateStores.catalog(state);
      ObjectFacts facts = new ObjectFacts(SHA, Instant.parse("1969-07-20T20:17:40.123456789Z"));

      catalog.record(FILE, "\"abc-2\"", facts);

      assertEquals(Optional.of(facts), catalog.find(FILE, "abc-2"), "quotes are not part of the ETag");
      assertEquals(Optional.of(facts), catalog.find(FILE, "\"abc-2\""));
      assertEquals(Optional.empty(), catalog.find(FILE, "abd-2"), "another version of the object");
      assertEquals(Optional.empty(), catalog.find(new S3Location("bucket", "dir/other.bin"), "abc-2"));
      assertEquals(Optional.empty(), catalog.find(new S3Location("other-bucket", FILE.key()), "abc-2"));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"embedded", "postgresql"})
  void setClientTime_keepsTheSha256_andNeedsNoEarlierEntry(String kind) throws IOException {
    try (StateStore state = open(kind)) {
      ObjectCatalog catalog = TestStateStores.catalog(state);
      catalog.record(FILE, "e1", new ObjectFacts(SHA, null));
      Instant time = Instant.parse("2021-03-04T05:06:07Z");

      catalog.setClientTime(FILE, "e1", time);
      catalog.setClientTime(new S3Location("bucket", "foreign.bin"), "f1", time);

      assertEquals(Optional.of(new ObjectFacts(SHA, time)), catalog.find(FILE, "e1"));
      assertEquals(Optional.of(new ObjectFacts(null, time)), catalog.find(new S3Location("bucket", "foreign.bin"), "f1"));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"embedded", "postgresql"})
  void findAll_aPageOfKeys_returnsTheEntriesWhoseEtagMatches(String kind) throws IOException {
    try (StateStore state = open(kind)) {
      ObjectCatalog catalog = TestStateStores.catalog(state);
      List<ObjectCatalog.Entry> entries = new ArrayList<>();
      Map<String, String> listed = new HashMap<>();
      for (int i = 0; i < 1200; i++) {
        String key = "page/" + i;
        entries.add(new ObjectCatalog.Entry(key, "etag-" + i, new ObjectFacts(null, Instant.ofEpochSecond(i))));
        listed.put(key, i % 3 == 0 ? "\"changed-" + i + "\"" : "\"etag-" + i + "\"");
      }
      catalog.recordAll("bucket", entries);

      Map<String, ObjectFacts> found = catalog.findAll("bucket", listed);

      assertEquals(800, found.size(), "one key in three changed since");
      assertEquals(Instant.ofEpochSecond(1199), found.get("page/1199").clientTime());
      assertFalse(found.containsKey("page/3"));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"embedded", "postgresql"})
  void forgetOthersAndForget_dropOnlyWhatTheySay(String kind) throws Exception {
    try (StateStore state = open(kind); ObjectCatalog catalog = TestStateStores.catalog(state)) {
      catalog.record(FILE, "old", new ObjectFacts(SHA, null));
      catalog.record(FILE, "new", new ObjectFacts("00".repeat(32), null));
      S3Location other = new S3Location("bucket", "dir/kept.bin");
      catalog.record(other, "k", new ObjectFacts(SHA, null));

      catalog.forgetOthers(FILE, "\"new\"");
      catalog.awaitTidied();
      assertEquals(Optional.empty(), catalog.find(FILE, "old"));
      assertTrue(catalog.find(FILE, "new").isPresent());

      catalog.forget(FILE);
      catalog.awaitTidied();
      assertEquals(Optional.empty(), catalog.find(FILE, "new"));
      assertTrue(catalog.find(other, "k").isPresent());
    }
  }

  /**
   * A forget runs after the delete that asked for it has answered, and takes only what was recorded
   * by then: the same key written again meanwhile, even with the same bytes (the same ETag), keeps
   * the entry of its new version. Here the forgets are held back until the writes are recorded.
   */
  @ParameterizedTest
  @ValueSource(strings = {"embedded", "postgresql"})
  void forgetsRunLater_andKeepWhatWasRecordedAfterTheyWereAsked(String kind) throws Exception {
    MutableClock clock = new MutableClock(Instant.parse("2026-11-29T07:00:00Z"));
    List<Runnable> heldBack = new ArrayList<>();
    try (StateStore state = open(kind)) {
      ObjectCatalog catalog = new ObjectCatalog(state.database(), clock, heldBack::add);
      S3Location moved = new S3Location("bucket", "dir/moved.bin");
      S3Location replaced = new S3Location("bucket", "dir/replaced.bin");
      catalog.record(FILE, "same", new ObjectFacts(SHA, Instant.parse("2020-01-01T00:00:00Z")));
      catalog.record(moved, "m", new ObjectFacts(SHA, null));
      catalog.record(replaced, "v1", new ObjectFacts(SHA, null));
      catalog.record(replaced, "v2", new ObjectFacts(SHA, null));

      clock.advance(Duration.ofSeconds(1));
      catalog.forget(FILE);
      catalog.forgetAll("bucket", List.of(moved.key()));
      catalog.forgetOthers(replaced, "v2");
      assertTrue(catalog.find(FILE, "same").isPresent(), "nothing dropped before the forgets run");

      clock.advance(Duration.ofSeconds(1));
      ObjectFacts again = new ObjectFacts(SHA, Instant.parse("2026-11-29T07:00:02Z"));
      catalog.record(FILE, "same", again);
      catalog.record(replaced, "v3", new ObjectFacts(SHA, null));
      assertEquals(1, heldBack.size(), "one run for every forget waiting");
      heldBack.remove(0).run();

      assertEquals(Optional.of(again), catalog.find(FILE, "same"), "written again after the forget was asked");
      assertEquals(Optional.empty(), catalog.find(moved, "m"));
      assertEquals(Optional.empty(), catalog.find(replaced, "v1"));
      assertTrue(catalog.find(replaced, "v2").isPresent(), "the version the forget keeps");
      assertTrue(catalog.find(replaced, "v3").isPresent(), "recorded after the forget was asked");
    }
  }

  /** Closing the catalog runs the forgets still waiting: a stop leaves none of them undone. */
  @Test
  void close_runsTheForgetsStillWaiting() throws Exception {
    try (StateStore state = open("embedded")) {
      ObjectCatalog catalog = TestStateStores.catalog(state);
      List<String> keys = new ArrayList<>();
      for (int i = 0; i < 2 * CatalogTidying.BATCH + 1; i++) {
        keys.add("dir/f" + i);
        catalog.record(new S3Location("bucket", "dir/f" + i), "e", new ObjectFacts(SHA, null));
      }
      catalog.forgetAll("bucket", keys);
      catalog.close();
      for (String key : List.of(keys.get(0), keys.get(CatalogTidying.BATCH), keys.get(keys.size() - 1))) {
        assertEquals(Optional.empty(), catalog.find(new S3Location("bucket", key), "e"), key);
      }
    }
  }

  /** A database lost mid-run fails what needs it, naming the store, and serves again once it is back. */
  @Test
  void postgresRestartedMidRun_failsClearlyMeanwhile_thenWorksAgain() throws IOException {
    String url = postgres.newDatabase();
    try (StateStore state = TestStateStores.postgres(url, "node-1", Duration.ofSeconds(15))) {
      TestStateStores.catalog(state).record(FILE, "before", new ObjectFacts(SHA, null));
      postgres.stop();
      try {
        StateStoreException lost = assertThrows(StateStoreException.class,
            () -> TestStateStores.catalog(state).record(FILE, "during", new ObjectFacts(SHA, null)));
        assertTrue(lost.getMessage().contains(url), lost.getMessage());
      } finally {
        postgres.start();
      }
      TestStateStores.catalog(state).record(FILE, "after", new ObjectFacts(SHA, null));
      assertTrue(TestStateStores.catalog(state).find(FILE, "before").isPresent(), "recorded before the restart");
      assertTrue(TestStateStores.catalog(state).find(FILE, "after").isPresent());
      assertEquals(Optional.empty(), TestStateStores.catalog(state).find(FILE, "during"));
    }
  }

  @Test
  void open_unreachablePostgres_failsNamingTheUrl() {
    String url = "jdbc:postgresql://127.0.0.1:" + FreePorts.freePort() + "/ferry";

    IOException failed = assertThrows(IOException.class, () -> StateStore.open(
        new StateStoreSettings(url, "ferry", "secret-password", 2, null, "node-1", Duration.ofSeconds(15)),
        Clock.systemUTC()));

    assertTrue(failed.getMessage().contains(url), failed.getMessage());
    assertTrue(failed.getMessage().contains("Connection refused") || failed.getMessage().contains("connect"),
        failed.getMessage());
    assertFalse(failed.getMessage().contains("secret-password"), failed.getMessage());
  }
}
