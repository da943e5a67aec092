package dev.ferry.server.nodes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.testing.Await;
import dev.ferry.core.testing.OpenSshServer;
import dev.ferry.core.testing.S3TestServer;
import dev.ferry.core.user.PasswordHasher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A Ferry killed (SIGKILL) in the middle of a sync run and started again on the same embedded
 * store: the run continues, nothing partial is left in S3, and what the killed run had committed is
 * not copied again (its objects keep their time).
 */
class SyncCrashRestartIT {

  @RegisterExtension
  static final S3TestServer s3 = new S3TestServer();

  private static final int FILES = 120;
  private static final int MIB = 1024 * 1024;
  private static final Pattern DONE = Pattern.compile("done: \\{seen=(\\d+), copied=(\\d+), unchanged=(\\d+)");

  @TempDir
  Path dir;

  @Test
  void killedMidRun_restarted_continuesWithoutCopyingTheCommittedAgain() throws Exception {
    String bucket = s3.createBucket();
    Path source = Files.createDirectories(dir.resolve("remote/outbound"));
    Map<String, byte[]> files = new HashMap<>();
    for (int i = 0; i < FILES; i++) {
      byte[] data = new byte[MIB + i];
      new Random(i).nextBytes(data);
      String name = String.format("batch/f%03d.bin", i);
      Files.createDirectories(source.resolve(name).getParent());
      Files.write(source.resolve(name), data);
      files.put(name, data);
    }
    try (OpenSshServer sshd = new OpenSshServer(dir.resolve("sshd"))) {
      String yaml = FerryNode.config(dir.resolve("data"), s3, """
          users:
            - name: alice
              passwordHash: "%s"
              home: s3://%s/home/
          remotes:
            - name: partner
              address: 127.0.0.1
              port: %d
              user: %s
              privateKey: %s
              hostKey: "%s"
          syncs:
            - name: outbound
              source: partner:%s
              target: s3://%s/in/
              every: 2s
              parallel: 1
          """.formatted(PasswordHasher.hash("unused-Pa55".toCharArray()), bucket, sshd.port, sshd.user,
          sshd.clientKey, sshd.hostKeyLine, source, bucket));

      Map<String, Instant> committedBeforeKill = new HashMap<>();
      String firstLog;
      try (FerryNode first = FerryNode.start("syncing", dir.resolve("first"), yaml)) {
        Await.until(() -> objects(bucket).size() >= FILES / 4, Duration.ofSeconds(120), "a quarter of the files");
        first.kill();
        committedBeforeKill.putAll(objects(bucket));
        firstLog = first.logText();
      }
      assertTrue(committedBeforeKill.size() < FILES, "killed before the run ended: " + committedBeforeKill.size());

      try (FerryNode second = FerryNode.start("restarted", dir.resolve("second"), yaml)) {
        Await.until(() -> DONE.matcher(second.logText()).find(), Duration.ofSeconds(180),
            "the restarted Ferry to end the run");
        Matcher done = DONE.matcher(second.logText());
        assertTrue(done.find());
        assertEquals(FILES, Integer.parseInt(done.group(1)), second.logText());
        int copied = Integer.parseInt(done.group(2));
        System.out.printf("killed with %d of %d files committed; the restarted run: %s%n", committedBeforeKill.size(),
            FILES, done.group());
        Map<String, Instant> now = objects(bucket);
        List<String> rewritten = committedBeforeKill.keySet().stream()
            .filter(key -> !committedBeforeKill.get(key).equals(now.get(key))).sorted().toList();
        assertTrue(rewritten.isEmpty(), "written again after the restart: " + rewritten
            + "; what the nodes logged of them:\n" + linesNaming(rewritten, firstLog, second.logText()));
        assertTrue(Integer.parseInt(done.group(3)) >= committedBeforeKill.size(),
            "what the killed run committed is unchanged: " + done.group() + ", " + committedBeforeKill.size()
                + " were committed");
        assertEquals(FILES, copied + Integer.parseInt(done.group(3)), done.group());

        assertEquals(FILES, now.size());
        files.forEach((name, data) -> assertArrayEquals(data, s3.read(bucket, "in/" + name), name));
        assertTrue(s3.multipartUploads(bucket).isEmpty(), "the killed run's upload is aborted");
      }
    }
  }

  /** The lines of either node's log that name one of {@code keys}' files. */
  private static String linesNaming(List<String> keys, String... logs) {
    List<String> names = keys.stream().map(key -> key.substring("in/".length())).toList();
    return Stream.of(logs).flatMap(String::lines).filter(line -> names.stream().anyMatch(line::contains))
        .collect(Collectors.joining("\n"));
  }

  private static Map<String, Instant> objects(String bucket) {
    Map<String, Instant> found = new HashMap<>();
    for (S3Object object : s3.client().listObjectsV2Paginator(b -> b.bucket(bucket).prefix("in/")).contents()) {
      found.put(object.key(), object.lastModified());
    }
    return found;
  }
}
