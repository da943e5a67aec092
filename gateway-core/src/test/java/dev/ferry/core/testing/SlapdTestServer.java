package dev.ferry.core.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real OpenLDAP {@code slapd} for tests, Debian's, run as a plain process: a temp dir with an
 * mdb database under {@code dc=ferry,dc=test} loaded by {@code slapadd} from the LDIF the test
 * gives, a self-signed certificate for 127.0.0.1 made by {@code openssl} (so StartTLS works and
 * {@link #certificate()} is what a client trusts), listening on a free loopback port; stopped and
 * removed after the test class. Passwords in the LDIF may be clear text: slapd compares them at bind.
 *
 * <pre>{@code @RegisterExtension static final SlapdTestServer ldap = new SlapdTestServer(ldif);}</pre>
 */
public final class SlapdTestServer implements BeforeAllCallback, AfterAllCallback {

  public static final String SUFFIX = "dc=ferry,dc=test";
  private static final Path SLAPD = Path.of("/usr/sbin/slapd");
  private static final Path SLAPADD = Path.of("/usr/sbin/slapadd");

  private final String entries;
  private Path root;
  private Process slapd;
  private int port;

  /** {@code entries}: the LDIF of the entries below the suffix's own (which is made here). */
  public SlapdTestServer(String entries) {
    this.entries = entries;
  }

  @Override
  public synchronized void beforeAll(ExtensionContext context) throws Exception {
    root = Files.createTempDirectory("ferry-slapd");
    Files.createDirectories(root.resolve("db"));
    run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
        "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", root.resolve("key.pem").toString(),
        "-out", certificate().toString());
    Files.writeString(root.resolve("slapd.conf"), """
        include /etc/ldap/schema/core.schema
        include /etc/ldap/schema/cosine.schema
        include /etc/ldap/schema/inetorgperson.schema
        modulepath /usr/lib/ldap
        moduleload back_mdb
        pidfile %1$s/slapd.pid
        TLSCertificateFile %1$s/cert.pem
        TLSCertificateKeyFile %1$s/key.pem
        database mdb
        maxsize 10485760
        suffix "%2$s"
        rootdn "cn=admin,%2$s"
        rootpw admin-secret
        directory %1$s/db
        access to attrs=userPassword by anonymous auth by self write by * none
        access to * by * read
        """.formatted(root, SUFFIX));
    Files.writeString(root.resolve("data.ldif"), """
        dn: %s
        objectClass: dcObject
        objectClass: organization
        o: Ferry test
        dc: ferry

        """.formatted(SUFFIX) + entries);
    run(SLAPADD.toString(), "-f", root.resolve("slapd.conf").toString(), "-l", root.resolve("data.ldif").toString());
    port = FreePorts.freePort();
    slapd = new ProcessBuilder(SLAPD.toString(), "-f", root.resolve("slapd.conf").toString(),
        "-h", "ldap://127.0.0.1:" + port + "/", "-d", "0").redirectErrorStream(true)
        .redirectOutput(root.resolve("slapd.log").toFile()).start();
    Await.until(() -> {
      if (!slapd.isAlive()) {
        throw new AssertionError("slapd exited: " + log());
      }
      try (java.net.Socket probe = new java.net.Socket("127.0.0.1", port)) {
        return true;
      } catch (IOException notYet) {
        return false;
      }
    }, Duration.ofSeconds(30), "slapd to listen on " + port);
  }

  @Override
  public synchronized void afterAll(ExtensionContext context) throws Exception {
    if (slapd != null) {
      slapd.destroy();
      if (!slapd.waitFor(10, TimeUnit.SECONDS)) {
        slapd.destroyForcibly();
      }
    }
    if (root != null) {
      try (Stream<Path> files = Files.walk(root)) {
        for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(file);
        }
      }
    }
  }

  private String log() {
    try {
      return Files.readString(root.resolve("slapd.log"));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  public String url() {
    return "ldap://127.0.0.1:" + port;
  }

  /** The server's certificate (PEM), to trust for StartTLS. */
  public Path certificate() {
    return root.resolve("cert.pem");
  }

  private void run(String... command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(new ArrayList<>(List.of(command))).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (process.waitFor() != 0) {
      throw new IOException(String.join(" ", command) + " failed: " + output);
    }
  }
}
