package dev.ferry.core.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real PostgreSQL server for tests: a private cluster made with Debian's {@code initdb} in a temp
 * dir, listening on a free loopback port, stopped (and its files removed) after the test class.
 * PostgreSQL refuses to run as root, and CI runs as root: then every PostgreSQL command runs as
 * the {@code postgres} user that Debian's package creates. {@link #stop()} and {@link #start()}
 * restart it on the same port and data, for tests of a database lost mid-run.
 *
 * <pre>{@code @RegisterExtension static final PostgresTestServer postgres = new PostgresTestServer();}</pre>
 */
public final class PostgresTestServer implements BeforeAllCallback, AfterAllCallback {

  /** The superuser initdb creates; the cluster trusts loopback connections, so no password. */
  public static final String USER = "ferry";
  private static final AtomicInteger DATABASES = new AtomicInteger();

  private Path root;
  private Path bin;
  private int port;
  private Thread shutdownHook;

  @Override
  public synchronized void beforeAll(ExtensionContext context) throws Exception {
    bin = findBin();
    root = Files.createTempDirectory("ferry-postgres");
    if (runningAsRoot()) {
      UserPrincipal postgres = root.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
      Files.setOwner(root, postgres);
    }
    port = FreePorts.freePort();
    run(bin.resolve("initdb").toString(), "-D", data().toString(), "-U", USER, "--auth=trust", "-E", "UTF8",
        "--no-sync");
    shutdownHook = new Thread(this::stopQuietly, "postgres-test-server-stop");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
    start();
  }

  @Override
  public synchronized void afterAll(ExtensionContext context) throws Exception {
    stopQuietly();
    if (shutdownHook != null) {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    }
    if (root != null) {
      try (Stream<Path> paths = Files.walk(root)) {
        for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(path);
        }
      }
    }
  }

  /** Starts the server (again): same port, same data. Waits until it accepts connections. */
  public synchronized void start() throws IOException {
    run(bin.resolve("pg_ctl").toString(), "start", "-w", "-t", "60", "-D", data().toString(),
        "-l", root.resolve("postgres.log").toString(),
        "-o", "-p " + port + " -c listen_addresses=127.0.0.1 -c unix_socket_directories=" + root
            + " -c fsync=off -c max_connections=200");
  }

  /** Stops the server at once (fast shutdown: sessions are cut, as when a database goes away). */
  public synchronized void stop() throws IOException {
    run(bin.resolve("pg_ctl").toString(), "stop", "-w", "-m", "fast", "-D", data().toString());
  }

  /** A new, empty database on this server; its JDBC URL. */
  public String newDatabase() {
    String name = "ferry_test_" + DATABASES.incrementAndGet();
    try (Connection connection = DriverManager.getConnection(url("postgres"), USER, "");
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("creating database " + name + " on " + url("postgres"), e);
    }
    return url(name);
  }

  public int port() {
    return port;
  }

  private String url(String database) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
  }

  private Path data() {
    return root.resolve("data");
  }

  private void stopQuietly() {
    try {
      if (root != null && Files.exists(data().resolve("postmaster.pid"))) {
        stop();
      }
    } catch (IOException | RuntimeException e) {
      System.err.println("PostgresTestServer: stop failed: " + e.getMessage());
    }
  }

  /** Runs a PostgreSQL command, as the postgres user when this JVM runs as root. */
  private void run(String... command) throws IOException {
    List<String> line = new ArrayList<>();
    if (runningAsRoot()) {
      line.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    line.addAll(List.of(command));
    Process process = new ProcessBuilder(line).redirectErrorStream(true)
        .redirectOutput(root.resolve("commands.log").toFile()).directory(root.toFile()).start();
    try {
      if (!process.waitFor(120, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IOException(String.join(" ", line) + " did not finish in 120 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted: " + String.join(" ", line), e);
    }
    if (process.exitValue() != 0) {
      throw new IOException(String.join(" ", line) + " failed (exit " + process.exitValue() + "): "
          + Files.readString(root.resolve("commands.log")));
    }
  }

  private static boolean runningAsRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  /** The newest installed PostgreSQL's bin directory (Debian: /usr/lib/postgresql/VERSION/bin). */
  private static Path findBin() {
    Path versions = Path.of("/usr/lib/postgresql");
    try (Stream<Path> installed = Files.list(versions)) {
      return installed.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("initdb")))
          .max(Comparator.comparing(b -> Integer.parseInt(b.getParent().getFileName().toString().replaceAll("\\D", "0"))))
          .orElseThrow(() -> new IllegalStateException("no initdb under " + versions + ": install postgresql "
              + "(.ci/run does)"));
    } catch (IOException e) {
      throw new UncheckedIOException("no PostgreSQL under " + versions + ": install postgresql (.ci/run does)", e);
    }
  }
}
