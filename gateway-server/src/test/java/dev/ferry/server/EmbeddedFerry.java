package dev.ferry.server;

import dev.ferry.core.FerryConfig;
import dev.ferry.core.testing.OpenSshServer;
import dev.ferry.core.testing.S3TestServer;
import dev.ferry.core.user.PasswordHasher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

/** A whole Ferry in the test's JVM, started on the ferry.yaml a test writes into its directory. */
public final class EmbeddedFerry {

  private EmbeddedFerry() {}

  /**
   * The part of a ferry.yaml that tests share: the data dir, the S3 server, and FTPS and SFTP on
   * free loopback ports (top level, ending in a newline); the test adds its users and sections.
   */
  public static String loopbackConfig(Path dataDir, S3TestServer s3) {
    return """
        dataDir: %s
        %s
        ftps:
          bindAddress: 127.0.0.1
          port: 0
          implicitPort: -1
          passivePorts: "0"
        sftp:
          bindAddress: 127.0.0.1
          port: 0
        """.formatted(dataDir, s3.configSection());
  }

  /** A {@code remotes:} section with one host, {@code name}: the test's OpenSSH server, writable under {@code root}. */
  public static String remote(String name, OpenSshServer sshd, Path root) {
    return """
        remotes:
          - name: %s
            address: 127.0.0.1
            port: %d
            user: %s
            privateKey: %s
            hostKey: "%s"
            roots: [%s]
        """.formatted(name, sshd.port, sshd.user, sshd.clientKey, sshd.hostKeyLine, root);
  }

  /**
   * One more entry for the {@code remotes:} section after {@link #remote}: a host that refuses every
   * connection (port 1 on loopback), with {@code root} as its only root.
   */
  public static String refusingRemote(String name, OpenSshServer sshd, String root) {
    return """
          - name: %s
            address: 127.0.0.1
            port: 1
            user: nobody
            privateKey: %s
            hostKey: "%s"
            roots: ['%s']
        """.formatted(name, sshd.clientKey, sshd.hostKeyLine, root.replace("'", "''"));
  }

  /** A {@code users:} section with one administrator, {@code name}, homed under s3://bucket/name/. */
  public static String adminUser(String name, String password, String bucket) {
    return """
        users:
          - name: %s
            passwordHash: "%s"
            home: s3://%s/%s/
            permissions: [all]
            admin: true
        """.formatted(name, PasswordHasher.hash(password.toCharArray()), bucket, name);
  }

  /** The admin HTTP API (and the console) on a free loopback port, with bearer token {@code token}. */
  public static String adminHttp(String token) {
    return """
        admin:
          http:
            bindAddress: 127.0.0.1
            port: 0
            token: %s
        """.formatted(token);
  }

  /** {@code environment}: what ${NAME} in the YAML stands for. */
  public static FerryServer start(Path dir, String yaml, Map<String, String> environment) throws IOException {
    Path file = dir.resolve("ferry.yaml");
    Files.writeString(file, yaml);
    FerryServer ferry = new FerryServer(FerryConfig.load(file, environment), Clock.systemUTC());
    try {
      ferry.start();
    } catch (IOException | RuntimeException e) {
      ferry.stop(); // what started before the failure (the state store, listeners) is let go
      throw e;
    }
    return ferry;
  }
}
