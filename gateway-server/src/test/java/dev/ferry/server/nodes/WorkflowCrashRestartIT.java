package dev.ferry.server.nodes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.ferry.core.testing.Await;
import dev.ferry.core.testing.S3TestServer;
import dev.ferry.core.user.PasswordHasher;
import dev.ferry.server.Lftp;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A Ferry killed (SIGKILL) in the middle of a workflow, while its notify step waits for the
 * receiver's answer, and started again on the same embedded store: the job goes on from the step
 * it was in. The copy and the decompress before it are not done again (their objects keep their
 * time), the notify is delivered again with the same event id (at least once, for the receiver to
 * drop), and the move after it happens once.
 */
class WorkflowCrashRestartIT {

  @RegisterExtension
  static final S3TestServer s3 = new S3TestServer();

  private static final String PASSWORD = "alice-Pa55word";

  @TempDir
  Path dir;

  @Test
  void killedInTheNotifyStep_restarted_eachStepOnceAndTheNotifyAgainWithTheSameId() throws Exception {
    String bucket = s3.createBucket();
    List<String> eventIds = new CopyOnWriteArrayList<>();
    CountDownLatch firstPost = new CountDownLatch(1);
    CountDownLatch released = new CountDownLatch(1);
    HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.setExecutor(Executors.newCachedThreadPool());
    receiver.createContext("/hook", exchange -> {
      exchange.getRequestBody().readAllBytes();
      eventIds.add(exchange.getRequestHeaders().getFirst("X-Ferry-Event-Id"));
      if (eventIds.size() == 1) {
        firstPost.countDown();
        try {
          released.await(); // the first POST is held until the node that sent it is dead
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      exchange.sendResponseHeaders(204, -1);
      exchange.close();
    });
    receiver.start();

    Path tree = Files.createDirectories(dir.resolve("tree/sub"));
    byte[] big = new byte[4 << 20];
    new Random(31).nextBytes(big);
    Files.write(tree.resolve("big.bin"), big);
    Files.writeString(dir.resolve("tree/readme.txt"), "hello\n");
    Path archive = dir.resolve("data.tar.gz");
    Process tar = new ProcessBuilder("tar", "-czf", archive.toString(), "-C", dir.resolve("tree").toString(), ".")
        .inheritIO().start();
    assertEquals(0, tar.waitFor());

    String yaml = FerryNode.config(dir.resolve("data"), s3, """
        store:
          lease: 3s
        jobs:
          retryBackoff: 200ms
        users:
          - name: alice
            passwordHash: "%s"
            home: s3://%s/home/
            permissions: [all]
        workflows:
          - name: process
            match:
              path: "/in/*"
            steps:
              - copy: s3://%s/archive/
              - decompress: s3://%s/unpacked/
              - notify: http://127.0.0.1:%d/hook
                secret: a-webhook-secret-of-32-characters
              - move: s3://%s/done/
        """.formatted(PasswordHasher.hash(PASSWORD.toCharArray()), bucket, bucket, bucket,
        receiver.getAddress().getPort(), bucket));
    try {
      Map<String, Instant> beforeKill;
      try (FerryNode first = FerryNode.start("first", dir.resolve("first"), yaml)) {
        new Lftp(first.ftpsPort, "alice", PASSWORD).put(archive, "in/data.tar.gz");
        Await.until(() -> firstPost.getCount() == 0, Duration.ofSeconds(60), "the notify step's first POST");
        beforeKill = times(bucket);
        first.kill();
      }
      released.countDown();
      assertTrue(beforeKill.containsKey("archive/alice/data.tar.gz"), beforeKill.toString());
      assertTrue(beforeKill.containsKey("unpacked/alice/sub/big.bin"), beforeKill.toString());
      assertTrue(!beforeKill.containsKey("done/alice/data.tar.gz"), "killed before the move");

      try (FerryNode second = FerryNode.start("second", dir.resolve("second"), yaml)) {
        Await.until(() -> second.logText().contains("workflow process: 4 steps done"), Duration.ofSeconds(120),
            "the restarted Ferry to end the workflow");
        Map<String, Instant> after = times(bucket);
        for (String key : List.of("archive/alice/data.tar.gz", "unpacked/alice/sub/big.bin",
            "unpacked/alice/readme.txt")) {
          assertEquals(beforeKill.get(key), after.get(key), key + " was written again");
        }
        assertArrayEquals(Files.readAllBytes(archive), s3.read(bucket, "done/alice/data.tar.gz"));
        assertArrayEquals(big, s3.read(bucket, "unpacked/alice/sub/big.bin"));
        assertTrue(s3.find(bucket, "home/in/data.tar.gz").isEmpty(), "moved once, away from in/");
        assertEquals(2, eventIds.size(), "the unanswered POST and the one after the restart: " + eventIds);
        assertEquals(eventIds.get(0), eventIds.get(1), "the same idempotency key");
        assertTrue(s3.multipartUploads(bucket).isEmpty(), "no multipart upload left");
      }
    } finally {
      released.countDown();
      receiver.stop(0);
    }
  }

  private static Map<String, Instant> times(String bucket) {
    Map<String, Instant> found = new TreeMap<>();
    for (S3Object object : s3.client().listObjectsV2Paginator(b -> b.bucket(bucket)).contents()) {
      found.put(object.key(), object.lastModified());
    }
    return found;
  }
}
