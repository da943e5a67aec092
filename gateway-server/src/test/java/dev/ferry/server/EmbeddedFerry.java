package dev.ferry.server;

import dev.ferry.core.config.FerryConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

/** A whole Ferry in the test's JVM, started on the ferry.yaml a test writes into its directory. */
public final class EmbeddedFerry {

  private EmbeddedFerry() {}

  /** {@code environment}: what ${NAME} in the YAML stands for. */
  public static FerryServer start(Path dir, String yaml, Map<String, String> environment) throws IOException {
    Path file = dir.resolve("ferry.yaml");
    Files.writeString(file, yaml);
    FerryServer ferry = new FerryServer(FerryConfig.load(file, environment), Clock.systemUTC());
    ferry.start();
    return ferry;
  }
}
