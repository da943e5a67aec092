package dev.ferry.server.nodes;

import dev.ferry.core.testing.Await;
import dev.ferry.core.testing.S3TestServer;
import dev.ferry.server.EmbeddedFerry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One Ferry node as its own process ({@code dev.ferry.server.Main} on this test's classpath), so a
 * test can kill it (SIGKILL) or freeze it (SIGSTOP) and wake it (SIGCONT) as an operator's machine
 * might. Its output goes to {@code node.log} in its directory.
 */
final class FerryNode implements AutoCloseable {

  private static final Pattern UP = Pattern.compile(
      "Ferry is up\\. FTPS explicit \\(AUTH TLS\\): [0-9.]+:(\\d+).*SFTP: [0-9.]+:(\\d+)");

  final String name;
  final Path log;
  private final Process process;
  final int ftpsPort;
  final int sftpPort;
  private volatile boolean frozen;

  private FerryNode(String name, Path log, Process process, int ftpsPort, int sftpPort) {
    this.name = name;
    this.log = log;
    this.process = process;
    this.ftpsPort = ftpsPort;
    this.sftpPort = sftpPort;
  }

  /**
   * The part of a node's ferry.yaml every node test shares: its data dir, the S3 server, and FTPS
   * and SFTP on free loopback ports; {@code rest} adds the sections of the test (users first).
   */
  static String config(Path dataDir, S3TestServer s3, String rest) {
    return EmbeddedFerry.loopbackConfig(dataDir, s3) + rest;
  }

  /** The store: section of a node named {@code name} on the PostgreSQL {@code database}, dead after {@code lease} silent. */
  static String sharedStore(String database, String name, java.time.Duration lease) {
    return """
        store:
          url: %s
          user: %s
          nodeName: %s
          lease: %dms
        """.formatted(database, dev.ferry.core.testing.PostgresTestServer.USER, name, lease.toMillis());
  }

  /** Starts a node on {@code yaml} in {@code dir} and waits until it says it is up. */
  static FerryNode start(String name, Path dir, String yaml) throws IOException {
    Files.createDirectories(dir);
    Path config = dir.resolve("ferry.yaml");
    Files.writeString(config, yaml);
    Path log = dir.resolve("node.log");
    String java = ProcessHandle.current().info().command().orElse("java");
    Process process = new ProcessBuilder(List.of(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
        "dev.ferry.server.Main", "--config", config.toString()))
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    Matcher[] up = new Matcher[1];
    try {
      Await.until(() -> {
        if (!process.isAlive()) {
          throw new AssertionError("node " + name + " exited: " + read(log));
        }
        Matcher matcher = UP.matcher(read(log));
        if (matcher.find()) {
          up[0] = matcher;
          return true;
        }
        return false;
      }, Duration.ofSeconds(60), "node " + name + " to start");
    } catch (RuntimeException | Error e) {
      process.destroyForcibly();
      throw e;
    }
    return new FerryNode(name, log, process, Integer.parseInt(up[0].group(1)), Integer.parseInt(up[0].group(2)));
  }

  /** SIGKILL: the node dies at once, leaving whatever it was doing. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** SIGSTOP: the node freezes (as in a long pause) with its connections and threads where they are. */
  void freeze() throws IOException, InterruptedException {
    signal("STOP");
    frozen = true;
  }

  /** SIGCONT: the frozen node runs on, as if nothing happened. */
  void wake() throws IOException, InterruptedException {
    signal("CONT");
    frozen = false;
  }

  String logText() {
    return read(log);
  }

  private void signal(String name) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
    if (kill.waitFor() != 0) {
      throw new IOException("kill -" + name + " " + process.pid() + " failed");
    }
  }

  private static String read(Path log) {
    try {
      return Files.exists(log) ? Files.readString(log) : "";
    } catch (IOException e) {
      return "";
    }
  }

  /** SIGTERM, as an operator stops a node; SIGKILL if it does not end within 30 s. */
  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      if (frozen) {
        try {
          wake();
        } catch (IOException e) {
          process.destroyForcibly();
        }
      }
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    }
  }
}
