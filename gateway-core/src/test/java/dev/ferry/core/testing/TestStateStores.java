package dev.ferry.core.testing;

import dev.ferry.core.catalog.ObjectCatalog;
import dev.ferry.core.state.StateStore;
import dev.ferry.core.state.StateStoreSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/** State stores for tests: the embedded one (a real SQLite file) or a real PostgreSQL database. */
public final class TestStateStores {

  private TestStateStores() {}

  public static StateStore embedded(Path directory) throws IOException {
    return StateStore.open(new StateStoreSettings(null, null, null, 4, directory.resolve("state.db"), "test-node",
        Duration.ofSeconds(15)), Clock.systemUTC());
  }

  /** A node named {@code node} on the PostgreSQL database at {@code url}, silent for {@code lease} = dead. */
  public static StateStore postgres(String url, String node, Duration lease) throws IOException {
    return StateStore.open(new StateStoreSettings(url, PostgresTestServer.USER, "", 4, null, node, lease),
        Clock.systemUTC());
  }

  /** The object catalog in {@code state}, as the gateway makes it. */
  public static ObjectCatalog catalog(StateStore state) {
    return new ObjectCatalog(state.database(), Clock.systemUTC());
  }
}
