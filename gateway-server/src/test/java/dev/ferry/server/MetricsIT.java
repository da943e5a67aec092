package dev.ferry.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.config.ConfigException;
import dev.ferry.core.testing.Await;
import dev.ferry.core.testing.S3TestServer;
import dev.ferry.core.user.PasswordHasher;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * /metrics scraped as Prometheus scrapes it, before and after real lftp and OpenSSH sftp sessions:
 * the deltas of bytes, transfers, logins and S3 requests are exactly what the sessions did.
 */
class MetricsIT {

  private static final String PASSWORD = "metrics-Pa55word";
  private static final HttpClient http = HttpClient.newHttpClient();

  @RegisterExtension
  static final S3TestServer s3 = new S3TestServer();

  @TempDir
  Path dir;

  /** Every sample of the scrape by its name and labels as printed, e.g. {@code ferry_logins_total{outcome="ok",protocol="FTPS"}}. */
  static Map<String, Double> scrape(FerryServer ferry) throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
        + ferry.metricsServer().port() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode());
    assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
    Map<String, Double> samples = new HashMap<>();
    for (String line : response.body().split("\n")) {
      if (!line.isBlank() && !line.startsWith("#")) {
        int space = line.lastIndexOf(' ');
        samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
      }
    }
    return samples;
  }

  static double sessionsNow(FerryServer ferry) {
    try {
      Map<String, Double> now = scrape(ferry);
      return now.get("ferry_sessions{protocol=\"FTPS\"}") + now.get("ferry_sessions{protocol=\"SFTP\"}");
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static double delta(Map<String, Double> before, Map<String, Double> after, String sample) {
    assertTrue(after.containsKey(sample), sample + " in " + after.keySet());
    return after.get(sample) - before.getOrDefault(sample, 0.0);
  }

  @Test
  void scrape_beforeAndAfterRealSessions_exactDeltas() throws Exception {
    String bucket = s3.createBucket();
    OpenSshSftp client = OpenSshSftp.withNewKey(dir);
    String yaml = EmbeddedFerry.loopbackConfig(dir.resolve("data"), s3) + """
        metrics:
          enabled: true
          port: 0
        uploads:
          memoryBudget: 64MiB
        login:
          maxFailures: 100
        users:
          - name: mftp
            passwordHash: "%s"
            home: s3://%s/mftp/
            permissions: [all]
          - name: msftp
            home: s3://%s/msftp/
            permissions: [all]
            publicKeys: ["%s"]
            quota: { bytes: 10MiB }
        """.formatted(PasswordHasher.hash(PASSWORD.toCharArray()), bucket, bucket, client.publicKey);
    byte[] ftpData = new byte[700_001];
    new Random(51).nextBytes(ftpData);
    byte[] sftpData = new byte[1_234_567];
    new Random(52).nextBytes(sftpData);
    Path ftpFile = Files.write(dir.resolve("f.bin"), ftpData);
    Path sftpFile = Files.write(dir.resolve("s.bin"), sftpData);

    FerryServer ferry = EmbeddedFerry.start(dir, yaml, Map.of());
    try {
      Map<String, Double> before = scrape(ferry);
      int port = ferry.ftps().port();
      assertThrows(AssertionError.class, () -> new Lftp(port, "mftp", "wrong-Pa55word").run("ls"));
      new Lftp(port, "mftp", PASSWORD).run("put '" + ftpFile + "' -o f.bin; get f.bin -o '" + dir.resolve("back.bin")
          + "'");
      assertArrayEquals(ftpData, Files.readAllBytes(dir.resolve("back.bin")));
      client.batch(ferry.sftp().port(), "msftp", "put " + sftpFile + " s.bin");
      Await.until(() -> sessionsNow(ferry) == 0, "the sessions to end");
      Map<String, Double> after = scrape(ferry);

      assertEquals(ftpData.length, delta(before, after, "ferry_bytes_in_bytes_total{protocol=\"FTPS\"}"));
      assertEquals(ftpData.length, delta(before, after, "ferry_bytes_out_bytes_total{protocol=\"FTPS\"}"));
      assertEquals(sftpData.length, delta(before, after, "ferry_bytes_in_bytes_total{protocol=\"SFTP\"}"));
      assertEquals(1, delta(before, after, "ferry_uploads_seconds_count{outcome=\"committed\",protocol=\"FTPS\"}"));
      assertEquals(1, delta(before, after, "ferry_uploads_seconds_count{outcome=\"committed\",protocol=\"SFTP\"}"));
      assertEquals(1, delta(before, after, "ferry_downloads_seconds_count{outcome=\"whole\",protocol=\"FTPS\"}"));
      assertTrue(after.keySet().stream().anyMatch(k -> k.startsWith("ferry_uploads_seconds_bucket{")),
          "upload durations as a histogram");
      assertEquals(1, delta(before, after, "ferry_logins_total{outcome=\"ok\",protocol=\"FTPS\"}"));
      assertEquals(1, delta(before, after, "ferry_logins_total{outcome=\"failed\",protocol=\"FTPS\"}"));
      assertEquals(1, delta(before, after, "ferry_logins_total{outcome=\"ok\",protocol=\"SFTP\"}"));
      // Both files are below uploads.singlePutLimit: one PutObject each, answered 200.
      assertEquals(2, delta(before, after, "ferry_s3_requests_seconds_count{operation=\"PutObject\",outcome=\"ok\"}"));
      assertTrue(delta(before, after, "ferry_s3_requests_seconds_count{operation=\"GetObject\",outcome=\"ok\"}") >= 1);
      assertEquals(64 << 20, after.get("ferry_memory_budget_capacity_bytes{budget=\"uploads\"}"));
      assertEquals(0, after.get("ferry_memory_budget_used_bytes{budget=\"uploads\"}"), "every part buffer given back");
      assertEquals(0, after.get("ferry_jobs{state=\"RUNNING\"}"));
      assertEquals(0, after.get("ferry_bans_total"));
      assertEquals(sftpData.length, after.get("ferry_quota_used{unit=\"bytes\",user=\"msftp\"}"));
      assertEquals(1, after.get("ferry_quota_used{unit=\"files\",user=\"msftp\"}"));
      assertEquals(10 << 20, after.get("ferry_quota_limit{unit=\"bytes\",user=\"msftp\"}"));
    } finally {
      ferry.stop();
    }
  }

  @Test
  void config_badMetricsSection_refusedNamingTheKey() throws Exception {
    String yaml = EmbeddedFerry.loopbackConfig(dir.resolve("data"), s3) + """
        metrics:
          enabled: true
          prot: 9464
        users:
          - name: someone
            home: s3://%s/x/
            passwordHash: "%s"
        """.formatted(s3.createBucket(), PasswordHasher.hash("x-Pa55word".toCharArray()));
    ConfigException e = assertThrows(ConfigException.class, () -> EmbeddedFerry.start(dir, yaml, Map.of()).stop());
    assertTrue(e.getMessage().contains("metrics.prot"), e.getMessage());
  }
}
