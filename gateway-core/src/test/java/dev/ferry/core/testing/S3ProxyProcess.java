package dev.ferry.core.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One S3Proxy child process with a filesystem backend. It can be stopped and started again on
 * the same port and data directory, which is how tests make S3 go away and come back.
 */
final class S3ProxyProcess {

  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);
  private static final int LOG_TAIL_LINES = 40;

  private final Path jar;
  private final Path dataDir;
  private final int port;
  private final Path properties;
  private final Path log;
  private Process process;

  S3ProxyProcess(Path jar, Path dataDir, int port, String accessKey, String secretKey) {
    this.jar = jar;
    this.dataDir = dataDir;
    this.port = port;
    this.properties = dataDir.resolve("s3proxy.properties");
    this.log = dataDir.resolve("s3proxy.log");
    writeProperties(accessKey, secretKey);
  }

  URI endpoint() {
    return URI.create("http://127.0.0.1:" + port);
  }

  synchronized void start() {
    if (process != null && process.isAlive()) {
      return;
    }
    // The test JVM's own java: whatever JDK runs the tests can run S3Proxy, PATH may not.
    String java = ProcessHandle.current().info().command().orElse("java");
    ProcessBuilder builder = new ProcessBuilder(java, "-jar", jar.toString(),
        "--properties", properties.toString())
        .redirectErrorStream(true)
        // Appending keeps the first run's log when the test restarts the server.
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("could not run " + java + " -jar " + jar, e);
    }
    awaitAnswering();
  }

  synchronized void stop() {
    if (process == null) {
      return;
    }
    Process stopping = process;
    process = null;
    stopping.destroy();
    try {
      if (!stopping.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        stopping.destroyForcibly().waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      stopping.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  /** For the shutdown hook: no waiting, the JVM is going away anyway. */
  synchronized void kill() {
    if (process != null) {
      process.destroyForcibly();
    }
  }

  private void awaitAnswering() {
    Instant deadline = Instant.now().plus(START_TIMEOUT);
    while (!answers()) {
      try {
        // Doubles as the pause between polls and as the check that S3Proxy did not die at once
        // (bad jar, port taken): then there is no point waiting out the deadline.
        if (process.waitFor(100, TimeUnit.MILLISECONDS)) {
          throw new IllegalStateException("S3Proxy exited with " + process.exitValue()
              + " before answering on " + endpoint() + "\n" + logTail());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        stop();
        throw new IllegalStateException("interrupted while waiting for S3Proxy", e);
      }
      if (Instant.now().isAfter(deadline)) {
        stop();
        throw new IllegalStateException("S3Proxy did not answer on " + endpoint() + " within "
            + START_TIMEOUT.toSeconds() + " s\n" + logTail());
      }
    }
  }

  /** Any HTTP status counts: an unsigned GET gets 403 once S3Proxy is serving. */
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
    } catch (IOException e) {
      return false;
    }
  }

  private String logTail() {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return "--- last lines of " + log + " ---\n"
          + String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
    } catch (IOException e) {
      return "(no log at " + log + ": " + e + ")";
    }
  }

  private void writeProperties(String accessKey, String secretKey) {
    Path blobs = dataDir.resolve("blobs");
    String text = String.join("\n",
        "s3proxy.endpoint=" + endpoint(),
        "s3proxy.authorization=aws-v2-or-v4",
        "s3proxy.identity=" + accessKey,
        "s3proxy.credential=" + secretKey,
        "jclouds.provider=filesystem",
        "jclouds.filesystem.basedir=" + blobs,
        "");
    try {
      Files.createDirectories(blobs);
      Files.writeString(properties, text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("could not prepare S3Proxy data dir " + dataDir, e);
    }
  }
}
