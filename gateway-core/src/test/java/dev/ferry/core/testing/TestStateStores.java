package dev.ferry.core.testing;

import dev.ferry.core.state.StateStore;
import dev.ferry.core.state.StateStoreSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;

/** State stores for tests: the embedded one, a real SQLite file in a test's directory. */
public final class TestStateStores {

  private TestStateStores() {}

  public static StateStore embedded(Path directory) throws IOException {
    return StateStore.open(new StateStoreSettings(null, null, null, 4, directory.resolve("state.db")),
        Clock.systemUTC());
  }
}
