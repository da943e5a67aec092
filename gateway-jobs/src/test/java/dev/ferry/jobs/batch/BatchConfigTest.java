package dev.ferry.jobs.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.FerryConfig;
import dev.ferry.core.config.ConfigException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatchConfigTest {

  static final String GOOD = """
      batches:
        - name: logs
          folder: s3://ferry-data/partner/outbox/
          every: 10m
          minFiles: 1000
          maxBatchSize: 64MiB
          manifest: s3://ferry-manifests/
          index: { url: "http://search.internal:9200/", name: ferry-manifests }
        - name: other
          folder: s3://ferry-data/other/
          manifest: s3://ferry-manifests/
      """;

  @TempDir
  Path dir;

  List<BatchDefinition> parse(String batches) throws IOException {
    Path file = Files.writeString(dir.resolve("ferry.yaml"),
        "users:\n  - name: ops\n    home: s3://ferry-data/ops/\n" + batches);
    return BatchConfig.parse(FerryConfig.load(file, Map.of()));
  }

  @Test
  void goodBatches_parsedWithDefaults() throws IOException {
    List<BatchDefinition> batches = parse(GOOD);
    BatchDefinition logs = batches.get(0);
    assertEquals("partner/outbox/", logs.folder().key());
    assertEquals(Duration.ofMinutes(10), logs.every());
    assertEquals(1000, logs.minFiles());
    assertEquals(64L << 20, logs.maxBatchSize());
    assertEquals(URI.create("http://search.internal:9200"), logs.index().url());
    BatchDefinition other = batches.get(1);
    assertEquals(1L << 30, other.maxBatchSize(), "1 GiB by default");
    assertEquals(Duration.ofMinutes(1), other.every());
    assertEquals(0, other.minFiles());
    assertNull(other.index());
  }

  /** The commented example in ferry.example.yaml (up to the next blank line), uncommented, is valid. */
  @Test
  void exampleConfig_commentedBatch_valid() throws IOException {
    String example = Files.readString(Path.of("..", "ferry.example.yaml"));
    String commented = example.substring(example.indexOf("\nbatches: []\n") + 13).split("\n\n", 2)[0];
    List<BatchDefinition> batches = parse("batches:\n" + commented.replaceAll("(?m)^#", "") + "\n");
    assertEquals(1, batches.size());
    assertEquals(1L << 30, batches.get(0).maxBatchSize());
    assertEquals("ferry-manifests", batches.get(0).index().name());
  }

  @Test
  void mistakes_refusedNamingTheKey() {
    String[][] cases = {
        {"maxBatchSize: 64MiB", "maxBatchSize: lots", "batches[0].maxBatchSize"},
        {"maxBatchSize: 64MiB", "maxBatchSize: 1KiB", "batches[0].maxBatchSize"},
        {"folder: s3://ferry-data/partner/outbox/", "folder: ferry-data/partner/outbox/", "batches[0].folder"},
        {"every: 10m", "every: 0s", "batches[0].every"},
        {"minFiles: 1000", "minFiles: -1", "batches[0].minFiles"},
        {"url: \"http://search.internal:9200/\"", "url: \"ftp://search.internal\"", "batches[0].index.url"},
        {"name: ferry-manifests", "name: Ferry_Manifests", "batches[0].index.name"},
        {"name: ferry-manifests }", "name: x, port: 1 }", "batches[0].index.port"},
        {"name: other", "name: logs", "batches[1].name"},
        {"folder: s3://ferry-data/other/", "folder: s3://ferry-data/partner/", "batches[1].folder"},
        {"other/\n    manifest: s3://ferry-manifests/", "other/\n    manifest: s3://ferry-data/partner/outbox/m/",
            "batches[1].manifest"},
        {"every: 10m", "every: 10m\n    maxSize: 1GiB", "batches[0].maxSize"}};
    for (String[] change : cases) {
      assertTrue(GOOD.contains(change[0]), change[0]);
      String yaml = GOOD.replace(change[0], change[1]);
      ConfigException e = assertThrows(ConfigException.class, () -> parse(yaml), change[1]);
      assertTrue(e.getMessage().contains(change[2]), change[1] + ": " + e.getMessage());
    }
  }
}
