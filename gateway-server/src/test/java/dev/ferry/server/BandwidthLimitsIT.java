package dev.ferry.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.testing.Await;
import dev.ferry.core.testing.S3TestServer;
import dev.ferry.core.user.PasswordHasher;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

/**
 * A user's bandwidth limit ({@code users[].bandwidth}) with real clients at their defaults: lftp's
 * upload and OpenSSH sftp's download of a limited user take as long as the limit says (never less:
 * at most a tenth of a second's burst goes ahead of the rate), while another user's transfer at the
 * same moment runs at full speed. Each test prints the rate it measured.
 */
class BandwidthLimitsIT {

  static final String PASSWORD = "bandwidth-Pa55word";
  static final long MIB = 1024 * 1024;
  static final long UP = 2 * MIB;
  static final long DOWN = 4 * MIB;

  @RegisterExtension
  static final S3TestServer s3 = new S3TestServer();

  @TempDir
  static Path dir;

  static FerryServer ferry;
  static OpenSshSftp slowOpenSsh;
  static String bucket;

  @BeforeAll
  static void start() throws Exception {
    bucket = s3.createBucket();
    slowOpenSsh = OpenSshSftp.withNewKey(Files.createDirectories(dir.resolve("slow-key")));
    String hash = PasswordHasher.hash(PASSWORD.toCharArray());
    String yaml = EmbeddedFerry.loopbackConfig(dir.resolve("data"), s3) + """
        users:
          - name: slow
            passwordHash: "%s"
            home: s3://%s/slow/
            permissions: [all]
            publicKeys: ["%s"]
            bandwidth: { up: 2MiB/s, down: 4MiB/s }
          - name: fast
            passwordHash: "%s"
            home: s3://%s/fast/
            permissions: [all]
        """.formatted(hash, bucket, slowOpenSsh.publicKey, hash, bucket);
    ferry = EmbeddedFerry.start(dir, yaml, Map.of());
  }

  @AfterAll
  static void stop() {
    if (ferry != null) {
      ferry.stop();
    }
  }

  @Test
  void lftpUploadOfALimitedUser_keepsToItsRate_anotherUsersUploadMeanwhileDoesNot() throws Exception {
    Path file = write("up.bin", (int) (6 * MIB));
    int ftps = ferry.ftps().port();

    long started = System.nanoTime();
    CompletableFuture<Double> slow = CompletableFuture.supplyAsync(() -> timed(() ->
        new Lftp(ftps, "slow", PASSWORD).run("put " + file + " -o up.bin"), started));
    // The other user starts once the limited upload is under way (its bytes are moving at its rate).
    Await.until(() -> ferry.gateway().transfers().now().stream()
        .anyMatch(t -> t.user().equals("slow") && t.bytes() > 0), Duration.ofSeconds(30),
        "the limited user's upload to be under way");
    double fast = timed(() -> new Lftp(ftps, "fast", PASSWORD).run("put " + file + " -o up.bin"), System.nanoTime());
    double slowSeconds = slow.get();

    double expected = 6.0 * MIB / UP;
    report("lftp put of 6 MiB by a user limited to 2 MiB/s", slowSeconds, 6 * MIB);
    report("lftp put of 6 MiB by another user meanwhile", fast, 6 * MIB);
    assertTrue(slowSeconds >= expected * 0.9, "took " + slowSeconds + " s, the limit allows no less than " + expected);
    assertTrue(slowSeconds <= expected * 2, "took " + slowSeconds + " s for " + expected + " s at the limit");
    assertTrue(fast < expected / 2, "the other user's upload took " + fast + " s: held back by another's limit");
    assertArrayEquals(Files.readAllBytes(file), s3.read(bucket, "slow/up.bin"));
    assertArrayEquals(Files.readAllBytes(file), s3.read(bucket, "fast/up.bin"));
  }

  @Test
  void openSshDownloadOfALimitedUser_keepsToItsRate() throws Exception {
    byte[] bytes = Files.readAllBytes(write("down-source.bin", (int) (8 * MIB)));
    s3.put(bucket, "slow/down.bin", bytes);
    Path local = dir.resolve("down.bin");

    double seconds = timed(() -> slowOpenSsh.batch(ferry.sftp().port(), "slow", "get down.bin " + local),
        System.nanoTime());

    double expected = 8.0 * MIB / DOWN;
    report("OpenSSH sftp get of 8 MiB by a user limited to 4 MiB/s", seconds, 8 * MIB);
    assertTrue(seconds >= expected * 0.9, "took " + seconds + " s, the limit allows no less than " + expected);
    assertTrue(seconds <= expected * 2, "took " + seconds + " s for " + expected + " s at the limit");
    assertArrayEquals(bytes, Files.readAllBytes(local));
  }

  @FunctionalInterface
  interface Transfer {
    void run() throws Exception;
  }

  /** Seconds from {@code startedNanos} to the end of {@code transfer}. */
  static double timed(Transfer transfer, long startedNanos) {
    try {
      transfer.run();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    return (System.nanoTime() - startedNanos) / 1e9;
  }

  static void report(String what, double seconds, long bytes) {
    System.out.printf("%s: %.2f s, %.2f MiB/s%n", what, seconds, bytes / (double) MIB / seconds);
  }

  static Path write(String name, int size) throws Exception {
    byte[] bytes = new byte[size];
    new Random(name.hashCode()).nextBytes(bytes);
    Path file = dir.resolve(name);
    Files.write(file, bytes);
    return file;
  }
}
