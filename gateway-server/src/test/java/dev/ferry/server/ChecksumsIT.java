package dev.ferry.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.testing.S3TestServer;
import dev.ferry.core.user.PasswordHasher;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checksums a client asks for, with real clients: FTPS HASH, OPTS HASH and XSHA1 (lftp's quote,
 * curl's -Q), sha256sum, sha1sum and md5sum over SSH exec (OpenSSH's ssh), SFTP's check-file
 * (paramiko's SFTPFile.check) and rclone check of a local tree against Ferry over SFTP, which
 * verifies with md5sum and names a file changed behind its back. Every digest is compared with
 * the JDK's of the bytes uploaded; a file put into S3 by another client is answered too (read).
 */
class ChecksumsIT {

  static final String PASSWORD = "checksums-Pa55word";

  @RegisterExtension
  static final S3TestServer s3 = new S3TestServer();

  @TempDir
  static Path dir;

  static FerryServer ferry;
  static OpenSshSftp openSsh;
  static String bucket;
  static byte[] report;
  static byte[] outside;

  @BeforeAll
  static void start() throws Exception {
    bucket = s3.createBucket();
    openSsh = OpenSshSftp.withNewKey(Files.createDirectories(dir.resolve("key")));
    String yaml = EmbeddedFerry.loopbackConfig(dir.resolve("data"), s3) + """
        users:
          - name: partner
            passwordHash: "%s"
            home: s3://%s/partner/
            permissions: [all]
            publicKeys: ["%s"]
        """.formatted(PasswordHasher.hash(PASSWORD.toCharArray()), bucket, openSsh.publicKey);
    ferry = EmbeddedFerry.start(dir, yaml, Map.of());
    report = new byte[300_000];
    new Random(35).nextBytes(report);
    Path local = dir.resolve("report.bin");
    Files.write(local, report);
    new Lftp(ferry.ftps().port(), "partner", PASSWORD).put(local, "in/report.bin");
    outside = "put by another S3 client\n".getBytes(StandardCharsets.UTF_8);
    s3.put(bucket, "partner/outside.txt", outside);
  }

  @AfterAll
  static void stop() {
    if (ferry != null) {
      ferry.stop();
    }
  }

  static String hex(String algorithm, byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(bytes));
  }

  @Test
  void ftpsHash_withLftp_answersSha256_optsHashChoosesMd5_legacyXsha1_missingFileRefused() throws Exception {
    Lftp lftp = new Lftp(ferry.ftps().port(), "partner", PASSWORD);

    String hash = lftp.output("quote HASH /in/report.bin");
    assertTrue(hash.contains("213 SHA-256 0-300000 " + hex("SHA-256", report) + " /in/report.bin"), hash);
    String md5 = lftp.output("quote OPTS HASH MD5; quote HASH in/report.bin; quote FEAT");
    assertTrue(md5.contains("200 MD5"), md5);
    assertTrue(md5.contains("213 MD5 0-300000 " + hex("MD5", report) + " in/report.bin"), md5);
    assertTrue(md5.contains("HASH SHA-256;SHA-1;MD5*"), "FEAT stars the session's choice: " + md5);
    String legacy = lftp.output("quote XSHA1 /in/report.bin; quote XSHA256 /outside.txt");
    assertTrue(legacy.contains("250 " + hex("SHA-1", report)), legacy);
    assertTrue(legacy.contains("250 " + hex("SHA-256", outside)), "a file Ferry did not write is read: " + legacy);

    // lftp's quote prints a refusal and exits 0.
    String missing = lftp.output("quote HASH /in/missing.bin");
    assertTrue(missing.contains("550 /in/missing.bin: checksum by partner: no such file"), missing);
    String unknown = lftp.output("quote OPTS HASH CRC32; quote HASH /in/report.bin");
    assertTrue(unknown.contains("501 Unknown algorithm, current selection not changed"), unknown);
    assertTrue(unknown.contains("213 SHA-256 0-300000"), "the choice stays SHA-256: " + unknown);
    String directory = lftp.output("quote HASH /in");
    assertTrue(directory.contains("550") && directory.contains("is a directory"), directory);
  }

  @Test
  void ftpsHash_withCurl_quoteCommandAnswered() throws Exception {
    Process curl = new ProcessBuilder("curl", "-sS", "-v", "--ssl-reqd", "-k", "-u", "partner:" + PASSWORD,
        "-Q", "HASH /in/report.bin", "ftp://127.0.0.1:" + ferry.ftps().port() + "/in/")
        .redirectErrorStream(true).start();
    String output = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(curl.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, curl.exitValue(), output);
    assertTrue(output.contains("< 213 SHA-256 0-300000 " + hex("SHA-256", report)), output);
  }

  @Test
  void sshExec_sha256sumSha1sumMd5sum_printAsCoreutils_missingPathExits1() throws Exception {
    int port = ferry.sftp().port();
    OpenSshSftp.Exec sha256 = openSsh.ssh(port, "partner", "sha256sum /in/report.bin 'outside.txt'");
    assertEquals(0, sha256.exit(), sha256.err());
    assertEquals(hex("SHA-256", report) + "  /in/report.bin\n" + hex("SHA-256", outside) + "  outside.txt\n",
        sha256.out());
    OpenSshSftp.Exec sha1 = openSsh.ssh(port, "partner", "sha1sum /in/report.bin");
    assertEquals(hex("SHA-1", report) + "  /in/report.bin\n", sha1.out(), sha1.err());
    OpenSshSftp.Exec md5 = openSsh.ssh(port, "partner", "md5sum /in/report.bin /in/missing.bin");
    assertEquals(1, md5.exit(), md5.out());
    assertEquals(hex("MD5", report) + "  /in/report.bin\n", md5.out());
    assertTrue(md5.err().contains("md5sum: /in/missing.bin: ") && md5.err().contains("no such file"), md5.err());
    OpenSshSftp.Exec empty = openSsh.ssh(port, "partner", "md5sum");
    assertEquals(hex("MD5", new byte[0]) + "  -\n", empty.out(), "no path: the digest of standard input");
  }

  @Test
  void sftpCheckFile_withParamiko_sha256AndMd5OfTheWholeFile() throws Exception {
    Process python = new ProcessBuilder("/usr/bin/python3", "-c", """
        import sys, paramiko
        t = paramiko.Transport(("127.0.0.1", int(sys.argv[1])))
        t.connect(username="partner", password=sys.argv[2])
        sftp = paramiko.SFTPClient.from_transport(t)
        with sftp.open("/in/report.bin") as f:
            print(f.check("sha256").hex())
            print(f.check("md5").hex())
        with sftp.open("/outside.txt") as f:
            print(f.check("sha1").hex())
        t.close()
        """, Integer.toString(ferry.sftp().port()), PASSWORD).redirectErrorStream(true).start();
    String output = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, python.waitFor(), output);
    assertEquals(List.of(hex("SHA-256", report), hex("MD5", report), hex("SHA-1", outside)), output.lines().toList());
  }

  @Test
  void rcloneCheck_overSftp_noDifferencesOnAGoodTree_namesTheFileChangedInS3() throws Exception {
    Path tree = Files.createDirectories(dir.resolve("tree/sub"));
    Random random = new Random(7);
    for (String name : List.of("a.bin", "b.txt", "sub/c.bin")) {
      byte[] bytes = new byte[10_000 + random.nextInt(50_000)];
      random.nextBytes(bytes);
      Files.write(dir.resolve("tree").resolve(name), bytes);
    }
    Map<String, String> remote = Map.of("RCLONE_CONFIG_FERRY_TYPE", "sftp", "RCLONE_CONFIG_FERRY_HOST", "127.0.0.1",
        "RCLONE_CONFIG_FERRY_PORT", Integer.toString(ferry.sftp().port()), "RCLONE_CONFIG_FERRY_USER", "partner",
        "RCLONE_CONFIG_FERRY_KEY_FILE", openSsh.key.toString());
    Rclone.run(remote, "copy", dir.resolve("tree").toString(), "ferry:/synced");

    Rclone.Result good = Rclone.output(remote, "check", dir.resolve("tree").toString(), "ferry:/synced");
    assertEquals(0, good.exit(), good.text());
    assertTrue(good.text().contains("0 differences found") && good.text().contains("3 matching files"), good.text());
    assertTrue(!good.text().contains("hashes could not be checked") && !good.text().contains("no hashes in common"),
        "rclone must verify by hash, not by size alone: " + good.text());

    byte[] tampered = Files.readAllBytes(dir.resolve("tree/sub/c.bin"));
    tampered[100] ^= 1;
    s3.put(bucket, "partner/synced/sub/c.bin", tampered); // the same size, one bit changed
    Rclone.Result bad = Rclone.output(remote, "check", dir.resolve("tree").toString(), "ferry:/synced");
    assertEquals(1, bad.exit(), bad.text());
    assertTrue(bad.text().contains("1 differences found") && bad.text().contains("sub/c.bin"), bad.text());
  }
}
