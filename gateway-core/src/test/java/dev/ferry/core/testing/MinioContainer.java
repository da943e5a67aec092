package dev.ferry.core.testing;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.MinIOContainer;

/**
 * MinIO in a container (Testcontainers), published on a loopback port of its own that stays the
 * same across a stop and a start, so a test can take S3 away and bring it back with its objects.
 */
final class MinioContainer implements S3Server {

  /** A MinIO release, pinned so that every run tests the same server. */
  static final String IMAGE = "minio/minio:RELEASE.2025-09-07T16-13-09Z";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  private final MinIOContainer container;
  private final int port;
  private boolean started;

  MinioContainer(int port, String accessKey, String secretKey) {
    this.port = port;
    this.container = new MinIOContainer(IMAGE).withUserName(accessKey).withPassword(secretKey);
    // Fixed, and on loopback only: Testcontainers' random port would change when the container restarts.
    container.setPortBindings(List.of("127.0.0.1:" + port + ":9000"));
  }

  /** Whether a Docker engine answers here; false when Testcontainers finds none. */
  static boolean dockerAnswers() {
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException | LinkageError e) {
      return false;
    }
  }

  @Override
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + port);
  }

  @Override
  public synchronized void start() {
    if (!started) {
      container.start();
      started = true;
    } else {
      container.getDockerClient().startContainerCmd(container.getContainerId()).exec();
    }
    awaitAnswering();
  }

  @Override
  public synchronized void stop() {
    container.getDockerClient().stopContainerCmd(container.getContainerId()).exec();
  }

  @Override
  public synchronized void kill() {
    container.stop();
  }

  private void awaitAnswering() {
    Await.until(this::answers, START_TIMEOUT, "MinIO answering on " + endpoint());
  }

  /** Any HTTP status counts: an unsigned GET gets 403 from MinIO once it serves. */
  private boolean answers() {
    try {
      HttpURLConnection connection = (HttpURLConnection) endpoint().toURL().openConnection();
      connection.setConnectTimeout(500);
      connection.setReadTimeout(2000);
      try {
        return connection.getResponseCode() > 0;
      } finally {
        connection.disconnect();
      }
    } catch (IOException notYet) {
      return false;
    }
  }
}
