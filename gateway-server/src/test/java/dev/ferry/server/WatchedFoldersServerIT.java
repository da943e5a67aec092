package dev.ferry.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.core.FerryConfig;
import dev.ferry.core.config.ConfigException;
import dev.ferry.core.testing.Await;
import dev.ferry.core.testing.S3TestServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The watch section in a whole Ferry: started with it, stopped with it, refused at start when wrong. */
class WatchedFoldersServerIT {

  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final String TOKEN = "watch-test-token-0123456789abcdef";

  @RegisterExtension
  static final S3TestServer s3 = new S3TestServer();

  @TempDir
  Path dir;

  String yaml(String bucket, Path in, String target) {
    return EmbeddedFerry.loopbackConfig(dir.resolve("data"), s3) + """
        users:
          - name: bob
            home: s3://%s/bob/
        watch:
          - name: incoming
            directory: ${WATCH_DIR}
            target: %s
        admin:
          http:
            bindAddress: 127.0.0.1
            port: 0
            token: ${ADMIN_TOKEN}
        """.formatted(bucket, target);
  }

  static List<String> watchThreads() {
    return Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
        .filter(name -> name.startsWith("ferry-watch-")).toList();
  }

  /** The admin API's answer to {@code GET /api/watches}: the data of each folder. */
  static JsonNode watches(FerryServer ferry) {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ferry.adminHttp().port()
        + "/api/watches")).header("Authorization", "Bearer " + TOKEN).timeout(Duration.ofSeconds(30)).build();
    try {
      HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
      assertEquals(200, response.statusCode(), response.body());
      return new ObjectMapper().readTree(response.body()).get("data");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Test
  void ferry_watchSection_closedFileUploadedCountedAndStopEndsTheWatcher() throws Exception {
    String bucket = s3.createBucket();
    Path in = Files.createDirectories(dir.resolve("in"));
    FerryServer ferry = EmbeddedFerry.start(dir, yaml(bucket, in, "s3://" + bucket + "/incoming/"),
        Map.of("WATCH_DIR", in.toString(), "ADMIN_TOKEN", TOKEN));
    try {
      byte[] data = "a file closed in a watched folder\n".getBytes();
      Files.write(in.resolve("report.txt"), data);
      Await.until(() -> s3.find(bucket, "incoming/report.txt").isPresent(), "s3://" + bucket + "/incoming/report.txt");
      assertArrayEquals(data, s3.read(bucket, "incoming/report.txt"));

      Await.until(() -> watches(ferry).get(0).get("uploaded").asLong() == 1, "watches counts the upload");
      JsonNode folder = watches(ferry).get(0);
      assertEquals("incoming", folder.get("name").asText());
      assertEquals(in.toString(), folder.get("directory").asText());
      assertEquals(0, folder.get("waiting").asInt());
      assertEquals(0, folder.get("failedAttempts").asLong());
    } finally {
      ferry.stop();
    }
    assertEquals(List.of(), watchThreads(), "threads of the watcher left running after stop");
  }

  @Test
  void ferry_watchTargetBucketMissing_startRefusedNamingTheKey() throws Exception {
    String bucket = s3.createBucket();
    Path in = Files.createDirectories(dir.resolve("in"));
    Path file = Files.writeString(dir.resolve("ferry.yaml"), yaml(bucket, in, "s3://ferry-no-such-bucket/x/"));
    FerryServer ferry = new FerryServer(FerryConfig.load(file, Map.of("WATCH_DIR", in.toString(), "ADMIN_TOKEN", TOKEN)),
        Clock.systemUTC());
    try {
      ConfigException e = assertThrows(ConfigException.class, ferry::start);
      assertTrue(e.getMessage().contains("'watch[0].target'"), e.getMessage());
    } finally {
      ferry.stop();
    }
  }
}
