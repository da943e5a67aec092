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
 * One S3-API server as a child process on loopback, keeping its objects in a data directory: S3Proxy
 * with a filesystem backend (the default), or Adobe's S3Mock (for server-side encryption, storage
 * classes and tags, which S3Proxy refuses). It can be stopped and started again on the same port and
 * data directory, which is how tests make S3 go away and come back.
 */
final class S3ServerProcess implements S3Server {

  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);
  private static final int LOG_TAIL_LINES = 40;

  /**
   * S3Mock's second HTTP listener (http.port) binds every interface and has no setting for its
   * address; this bean definition replaces it with one on loopback. Spring keeps a definition from
   * XML over the @Bean method of the same name when overriding is allowed.
   */
  private static final String S3MOCK_LOOPBACK_CONNECTOR = """
      <?xml version="1.0" encoding="UTF-8"?>
      <beans xmlns="http://www.springframework.org/schema/beans"
             xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
             xsi:schemaLocation="http://www.springframework.org/schema/beans
               https://www.springframework.org/schema/beans/spring-beans.xsd">
        <bean id="httpConnector" class="org.apache.catalina.connector.Connector">
          <property name="port" value="${http.port}"/>
        </bean>
        <bean class="org.springframework.beans.factory.config.MethodInvokingBean">
          <property name="targetObject" ref="httpConnector"/>
          <property name="targetMethod" value="setProperty"/>
          <property name="arguments"><list><value>address</value><value>127.0.0.1</value></list></property>
        </bean>
      </beans>
      """;

  private final String name;
  private final List<String> arguments;
  private final Path dataDir;
  private final int port;
  private final Path log;
  private Process process;

  private S3ServerProcess(String name, List<String> arguments, Path dataDir, int port) {
    this.name = name;
    this.arguments = List.copyOf(arguments);
    this.dataDir = dataDir;
    this.port = port;
    this.log = dataDir.resolve(name.toLowerCase(java.util.Locale.ROOT) + ".log");
  }

  /** S3Proxy on {@code port}, its blobs in {@code dataDir}, with these keys. */
  static S3ServerProcess s3Proxy(Path jar, Path dataDir, int port, String accessKey, String secretKey) {
    Path properties = dataDir.resolve("s3proxy.properties");
    Path blobs = dataDir.resolve("blobs");
    write(properties, String.join("\n",
        "s3proxy.endpoint=http://127.0.0.1:" + port,
        "s3proxy.authorization=aws-v2-or-v4",
        "s3proxy.identity=" + accessKey,
        "s3proxy.credential=" + secretKey,
        "jclouds.provider=filesystem",
        "jclouds.filesystem.basedir=" + blobs,
        ""), blobs);
    return new S3ServerProcess("S3Proxy", List.of("-jar", jar.toString(), "--properties", properties.toString()),
        dataDir, port);
  }

  /**
   * S3Mock on {@code port} (any keys sign for it), its objects in {@code dataDir}; {@code kmsKeyArns}
   * are the KMS keys it takes as valid (a client names one by the id after "key/"). Both of its
   * listeners are on loopback: {@code port}, and {@code sparePort} for the second one it always opens.
   */
  static S3ServerProcess s3Mock(Path jar, Path dataDir, int port, int sparePort, List<String> kmsKeyArns) {
    Path connector = dataDir.resolve("loopback-connector.xml");
    Path root = dataDir.resolve("root");
    write(connector, S3MOCK_LOOPBACK_CONNECTOR, root);
    return new S3ServerProcess("S3Mock", List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k",
        "-Xmx256m", "-jar", jar.toString(), "--server.ssl.enabled=false", "--server.address=127.0.0.1",
        "--server.port=" + port, "--http.port=" + sparePort, "--spring.main.sources=file:" + connector,
        "--spring.main.allow-bean-definition-overriding=true", "--spring.jmx.enabled=false",
        "--com.adobe.testing.s3mock.store.root=" + root,
        "--com.adobe.testing.s3mock.store.retain-files-on-exit=true",
        "--com.adobe.testing.s3mock.store.valid-kms-keys=" + String.join(",", kmsKeyArns),
        "--com.adobe.testing.s3mock.store.region=us-east-1"), dataDir, port);
  }

  private static void write(Path file, String text, Path directory) {
    try {
      Files.createDirectories(directory);
      Files.writeString(file, text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("could not prepare " + file, e);
    }
  }

  @Override
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + port);
  }

  @Override
  public synchronized void start() {
    if (process != null && process.isAlive()) {
      return;
    }
    // The test JVM's own java: whatever JDK runs the tests can run the server, PATH may not.
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command = new java.util.ArrayList<>();
    command.add(java);
    command.addAll(arguments);
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectErrorStream(true)
        // Appending keeps the first run's log when the test restarts the server.
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("could not run " + String.join(" ", command), e);
    }
    awaitAnswering();
  }

  @Override
  public synchronized void stop() {
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
  @Override
  public synchronized void kill() {
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
          throw new IllegalStateException(name + " exited with " + process.exitValue()
              + " before answering on " + endpoint() + "\n" + logTail());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        stop();
        throw new IllegalStateException("interrupted while waiting for " + name, e);
      }
      if (Instant.now().isAfter(deadline)) {
        stop();
        throw new IllegalStateException(name + " did not answer on " + endpoint() + " within "
            + START_TIMEOUT.toSeconds() + " s\n" + logTail());
      }
    }
  }

  /** Any HTTP status counts: an unsigned GET gets 403 from S3Proxy (200 from S3Mock) once it serves. */
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
}
