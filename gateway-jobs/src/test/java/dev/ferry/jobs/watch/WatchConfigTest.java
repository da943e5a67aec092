package dev.ferry.jobs.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.FerryConfig;
import dev.ferry.core.config.ConfigException;
import dev.ferry.core.s3.S3Location;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The watch section: what it accepts, and bad input refused naming the key. */
class WatchConfigTest {

  static final String USERS = "users:\n  - name: ops\n    home: s3://ferry-data/ops/\n";
  static final String TARGET = "    target: s3://ferry-data/\n";

  @TempDir
  Path dir;

  FerryConfig config(String watch, Map<String, String> env) throws IOException {
    Path file = dir.resolve("ferry.yaml");
    Files.writeString(file, USERS + watch, StandardCharsets.UTF_8);
    return FerryConfig.load(file, env);
  }

  WatchConfig load(String watch, Map<String, String> env) throws IOException {
    return WatchConfig.of(config(watch, env));
  }

  WatchConfig load(String watch) throws IOException {
    return load(watch, Map.of());
  }

  String entry(Path directory, String more) {
    return "watch:\n  - name: in\n    directory: " + directory + "\n" + more;
  }

  ConfigException refused(String watch) {
    return assertThrows(ConfigException.class, () -> load(watch));
  }

  static void assertNames(ConfigException e, String key) {
    assertTrue(e.getMessage().contains("'" + key + "'"), e.getMessage());
  }

  @Test
  void target_parsedWithDefaults() throws IOException {
    Path in = Files.createDirectories(dir.resolve("in"));
    WatchedFolder folder = load(entry(in, "    target: s3://ferry-data/incoming\n")).folders().get(0);
    assertEquals("in", folder.name());
    assertEquals("watch[0]", folder.key());
    assertEquals(in.toRealPath(), folder.directory());
    assertEquals(new S3Location("ferry-data", "incoming/"), folder.layout().target());
    assertFalse(folder.layout().gunzips("a.gz"));
    assertFalse(folder.deleteAfterUpload());
    assertEquals(Duration.ofSeconds(5), folder.retryBackoff());
    assertEquals(2, folder.parallel());
    assertFalse(folder.selection().accepts(".a.tmp"));
  }

  @Test
  void noWatchSection_noFolders() throws IOException {
    assertEquals(List.of(), load("").folders());
  }

  @Test
  void bucketKeyLayout_gunzipDeleteGlobs_parsed() throws IOException {
    Path in = Files.createDirectories(dir.resolve("in"));
    WatchedFolder folder = load(entry(in, """
            layout: bucket-key
            gunzip: true
            deleteAfterUpload: yes
            include: ["*.csv", "*.csv.gz"]
            exclude: [skip*]
            retryBackoff: 200ms
            parallel: 4
        """)).folders().get(0);
    assertNull(folder.layout().target());
    assertTrue(folder.layout().gunzips("b/a.csv.gz"));
    assertTrue(folder.deleteAfterUpload());
    assertTrue(folder.selection().accepts("b/x.csv.gz"));
    assertFalse(folder.selection().accepts("b/skip.csv"));
    assertEquals(Duration.ofMillis(200), folder.retryBackoff());
    assertEquals(4, folder.parallel());
  }

  /** Environment overrides, as sftppush had: any value may come from ${VAR} or ${VAR:-default}. */
  @Test
  void directoryAndTarget_fromEnvironment() throws IOException {
    Path in = Files.createDirectories(dir.resolve("from-env"));
    String watch = "watch:\n  - name: in\n    directory: ${WATCH_DIR}\n"
        + "    target: s3://${WATCH_BUCKET:-ferry-default}/in/\n";
    WatchedFolder folder = load(watch, Map.of("WATCH_DIR", in.toString())).folders().get(0);
    assertEquals(in.toRealPath(), folder.directory());
    assertEquals("ferry-default", folder.layout().target().bucket());
    assertEquals("ferry-other", load(watch, Map.of("WATCH_DIR", in.toString(), "WATCH_BUCKET", "ferry-other"))
        .folders().get(0).layout().target().bucket());
    assertNames(assertThrows(ConfigException.class, () -> load(watch)), "watch[0].directory");
  }

  @Test
  void relativeDirectory_refusedNamingKey() {
    ConfigException e = refused("watch:\n  - name: in\n    directory: incoming\n    target: s3://ferry-data/\n");
    assertNames(e, "watch[0].directory");
    assertTrue(e.getMessage().contains("absolute"), e.getMessage());
  }

  @Test
  void missingDirectory_refusedNamingKey() {
    ConfigException e = refused(entry(dir.resolve("nope"), TARGET));
    assertNames(e, "watch[0].directory");
    assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
  }

  @Test
  void fileAsDirectory_refusedNamingKey() throws IOException {
    Path file = Files.writeString(dir.resolve("a-file"), "x");
    assertNames(refused(entry(file, TARGET)), "watch[0].directory");
  }

  @Test
  void badTarget_refusedNamingKey() throws IOException {
    Path in = Files.createDirectories(dir.resolve("in"));
    assertNames(refused(entry(in, "    target: ferry-data/in/\n")), "watch[0].target");
    assertNames(refused(entry(in, "    target: s3://Bad_Bucket/in/\n")), "watch[0].target");
  }

  @Test
  void targetAndLayout_exactlyOneRequired() throws IOException {
    Path in = Files.createDirectories(dir.resolve("in"));
    assertNames(refused(entry(in, "")), "watch[0].target");
    assertNames(refused(entry(in, TARGET + "    layout: bucket-key\n")), "watch[0].target");
    assertNames(refused(entry(in, "    layout: by-date\n")), "watch[0].layout");
  }

  @Test
  void badGlobOrUnknownKey_refusedNamingKey() throws IOException {
    Path in = Files.createDirectories(dir.resolve("in"));
    assertNames(refused(entry(in, TARGET + "    exclude: ['*.{tmp']\n")), "watch[0].exclude");
    assertNames(refused(entry(in, TARGET + "    gunzipp: true\n")), "watch[0].gunzipp");
    assertNames(refused(entry(in, TARGET + "    retryBackoff: 1ms\n")), "watch[0].retryBackoff");
  }

  @Test
  void overlappingDirectoriesOrSameName_refused() throws IOException {
    Path in = Files.createDirectories(dir.resolve("in"));
    Path inner = Files.createDirectories(in.resolve("inner"));
    String overlapping = "watch:\n  - name: a\n    directory: " + in + "\n    target: s3://ferry-data/a/\n"
        + "  - name: b\n    directory: " + inner + "\n    target: s3://ferry-data/b/\n";
    assertNames(refused(overlapping), "watch[1].directory");
    Path other = Files.createDirectories(dir.resolve("other"));
    String twice = "watch:\n  - name: a\n    directory: " + in + "\n    target: s3://ferry-data/a/\n"
        + "  - name: a\n    directory: " + other + "\n    target: s3://ferry-data/b/\n";
    assertNames(refused(twice), "watch[1].name");
  }

  @Test
  void otherSystemThanLinux_refusedNamingTheSection() throws IOException {
    Path in = Files.createDirectories(dir.resolve("in"));
    FerryConfig config = config(entry(in, TARGET), Map.of());
    ConfigException e = assertThrows(ConfigException.class,
        () -> WatchConfig.parse(config.file().root().sections("watch"), "Mac OS X"));
    assertNames(e, "watch");
    assertTrue(e.getMessage().contains("inotify"), e.getMessage());
  }

  /** The commented example in ferry.example.yaml, uncommented, is a valid section. */
  @Test
  void exampleConfig_commentedWatchSection_valid() throws IOException {
    List<String> section = new ArrayList<>();
    boolean in = false;
    for (String line : Files.readAllLines(Path.of("..", "ferry.example.yaml"))) {
      in |= line.startsWith("# watch:");
      if (in && !line.startsWith("#")) {
        break;
      }
      if (in) {
        section.add(line.substring(Math.min(2, line.length())));
      }
    }
    Path incoming = Files.createDirectories(dir.resolve("incoming"));
    Path sync = Files.createDirectories(dir.resolve("sync"));
    WatchConfig config = load(String.join("\n", section) + "\n",
        Map.of("FERRY_WATCH_DIR", incoming.toString(), "FERRY_SYNC_DIR", sync.toString()));
    assertEquals(2, config.folders().size());
    assertTrue(config.folders().get(0).selection().accepts("a/b.csv.gz"));
    assertNull(config.folders().get(1).layout().target());
  }
}
