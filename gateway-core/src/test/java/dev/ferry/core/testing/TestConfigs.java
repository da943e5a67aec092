package dev.ferry.core.testing;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.FerryConfig;
import dev.ferry.core.config.ConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.function.Executable;

/** The ferry.yaml a settings test writes, and the refusal it expects: one way for every module's sections. */
public final class TestConfigs {

  private TestConfigs() {}

  /** {@code yaml} written to {@code dir}/ferry.yaml and loaded as Ferry loads it, with no environment. */
  public static FerryConfig load(Path dir, String yaml) throws IOException {
    Path file = dir.resolve("ferry.yaml");
    Files.writeString(file, yaml, StandardCharsets.UTF_8);
    return FerryConfig.load(file, Map.of());
  }

  /** Runs {@code parse}, expects it refused, and checks that the message names {@code key}. */
  public static ConfigException refusedNaming(String key, Executable parse) {
    ConfigException e = assertThrows(ConfigException.class, parse);
    assertTrue(e.getMessage().contains("'" + key + "'"), "message should name '" + key + "': " + e.getMessage());
    return e;
  }
}
