package dev.ferry.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.ferry.core.testing.S3TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * OpenSSH user certificates (sftp.trustedUserCaKeys), made by the real ssh-keygen -s and offered by
 * OpenSSH's sftp: one signed by the trusted CA, valid now, naming the user logs in as that user (who
 * has no key of its own); expired, another principal, no principals, an untrusted CA and a revoked
 * serial are refused, each with its reason in Ferry's log.
 */
class SshCertificatesIT {

  @RegisterExtension
  static final S3TestServer s3 = new S3TestServer();

  @TempDir
  static Path dir;

  static FerryServer ferry;
  static String bucket;
  static Path keys;

  @BeforeAll
  static void start() throws Exception {
    bucket = s3.createBucket();
    keys = Files.createDirectories(dir.resolve("keys"));
    keygen("ca");
    keygen("other-ca");
    String yaml = EmbeddedFerry.loopbackConfig(dir.resolve("data"), s3).replace("sftp:\n", """
        sftp:
          trustedUserCaKeys: ["%s"]
          revokedCertificateSerials: ["99"]
        """.formatted(Files.readString(keys.resolve("ca.pub")).trim())) + """
        users:
          - name: carla
            home: s3://%s/carla/
            permissions: [all]
        """.formatted(bucket);
    assertTrue(yaml.contains("trustedUserCaKeys"), "the sftp section took the CA: " + yaml);
    ferry = EmbeddedFerry.start(dir, yaml, Map.of());
  }

  @AfterAll
  static void stop() {
    if (ferry != null) {
      ferry.stop();
    }
  }

  @Test
  void trustedValidCertificateNamingTheUser_logsIn_othersRefusedWithTheirReason() throws Exception {
    certificate("valid", "ca", "carla", "-5m:+1h", "11");
    certificate("expired", "ca", "carla", "20200101:20200102", "12");
    certificate("someone-else", "ca", "dora", "-5m:+1h", "13");
    certificate("no-principals", "ca", null, "-5m:+1h", "14");
    certificate("untrusted", "other-ca", "carla", "-5m:+1h", "15");
    certificate("revoked", "ca", "carla", "-5m:+1h", "99");
    Path upload = dir.resolve("by-cert.txt");
    Files.writeString(upload, "signed in by certificate");

    List<String> log = new ArrayList<>();
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    lines.start();
    List<Logger> loggers = List.of((Logger) LoggerFactory.getLogger("dev.ferry.sftp.auth.UserCertificates"),
        (Logger) LoggerFactory.getLogger("org.apache.sshd.server.auth.pubkey.UserAuthPublicKey"));
    loggers.forEach(l -> l.addAppender(lines));
    try {
      assertEquals(0, sftp("valid", "put " + upload + " by-cert.txt").exit(), "the valid certificate logs in");
      assertEquals("signed in by certificate", new String(s3.read(bucket, "carla/by-cert.txt"), StandardCharsets.UTF_8));
      for (String refused : List.of("expired", "someone-else", "no-principals", "untrusted", "revoked")) {
        assertNotEquals(0, sftp(refused, "ls").exit(), refused + " is refused");
      }
      lines.list.forEach(l -> log.add(l.getFormattedMessage()));
    } finally {
      loggers.forEach(l -> l.detachAppender(lines));
    }
    for (String reason : List.of("expired", "not valid for the given username", "names no principals",
        "not in sftp.trustedUserCaKeys", "sftp.revokedCertificateSerials")) {
      assertTrue(log.stream().anyMatch(line -> line.contains(reason)), "a log line says '" + reason + "': " + log);
    }
  }

  private static void keygen(String name) throws Exception {
    run(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", keys.resolve(name).toString()));
  }

  /** A user key NAME and its certificate NAME-cert.pub, signed by {@code ca} for {@code principal} (null: none). */
  private static void certificate(String name, String ca, String principal, String validity, String serial)
      throws Exception {
    keygen(name);
    List<String> sign = new ArrayList<>(List.of("ssh-keygen", "-q", "-s", keys.resolve(ca).toString(), "-I",
        name + "-id", "-V", validity, "-z", serial));
    if (principal != null) {
      sign.addAll(List.of("-n", principal));
    }
    sign.add(keys.resolve(name + ".pub").toString());
    run(sign);
  }

  private record Result(int exit, String output) {}

  /** OpenSSH's sftp as carla with key NAME and its certificate, which sftp offers first. */
  private static Result sftp(String name, String command) throws Exception {
    Path batch = Files.writeString(dir.resolve(name + ".batch"), command + "\n");
    Process process = new ProcessBuilder("sftp", "-q", "-b", batch.toString(), "-P",
        Integer.toString(ferry.sftp().port()), "-i", keys.resolve(name).toString(),
        "-o", "CertificateFile=" + keys.resolve(name + "-cert.pub"), "-o", "IdentitiesOnly=yes",
        "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes",
        "carla@127.0.0.1").redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return new Result(process.waitFor(), output);
  }

  private static void run(List<String> command) throws Exception {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, process.waitFor(), command + ": " + output);
  }
}
