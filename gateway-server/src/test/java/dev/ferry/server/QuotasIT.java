package dev.ferry.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.testing.Await;
import dev.ferry.core.testing.S3TestServer;
import dev.ferry.core.user.PasswordHasher;
import java.nio.file.Files;
import java.security.KeyPair;
import java.time.Duration;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A user's quota ({@code users[].quota}) with real clients: an upload that would pass it fails while
 * it streams, FTPS with 552 (lftp), SFTP with a failure naming the quota (OpenSSH sftp, paramiko),
 * and leaves no object and no multipart upload; a delete gives the space back; an overwrite may
 * reuse the bytes of the file it replaces; a new file past the file count is refused at its open;
 * statvfs (paramiko, OpenSSH's df) answers from the quota.
 */
class QuotasIT {

  static final String PASSWORD = "quota-Pa55word";
  static final long MIB = 1024 * 1024;

  @RegisterExtension
  static final S3TestServer s3 = new S3TestServer();

  @RegisterExtension
  static final SshTestClient ssh = new SshTestClient();

  static final KeyPair opsKey = ed25519();

  @TempDir
  static Path dir;

  static FerryServer ferry;
  static OpenSshSftp openSsh;
  static String bucket;
  static Path inbox;

  @BeforeAll
  static void start() throws Exception {
    bucket = s3.createBucket();
    openSsh = OpenSshSftp.withNewKey(Files.createDirectories(dir.resolve("key")));
    inbox = Files.createDirectories(dir.resolve("inbox"));
    // Something was in the bytes user's home before Ferry started: the first count finds it.
    s3.put(bucket, "bytes/before.bin", new byte[(int) MIB]);
    String hash = PasswordHasher.hash(PASSWORD.toCharArray());
    String yaml = EmbeddedFerry.loopbackConfig(dir.resolve("data"), s3) + """
        uploads:
          partSize: 5MiB
          singlePutLimit: 5MiB
        watch:
          - name: inbox
            directory: %s
            target: s3://%s/counted/inbox/
        workflows:
          - name: ship
            match:
              path: "/outgoing/*"
            steps:
              - move: s3://%s/shipped/
        users:
          - name: counted
            passwordHash: "%s"
            home: s3://%s/counted/
            permissions: [all]
            quota: { bytes: 1GiB, files: 100 }
          - name: bytes
            passwordHash: "%s"
            home: s3://%s/bytes/
            permissions: [all]
            publicKeys: ["%s"]
            quota: { bytes: 8MiB }
          - name: files
            passwordHash: "%s"
            home: s3://%s/files/
            permissions: [all]
            publicKeys: ["%s"]
            quota: { files: 3 }
          - name: scanned
            passwordHash: "%s"
            home: s3://%s/scanned/
            permissions: [all]
            quota: { bytes: 1GiB, files: 100 }
          - name: dropper
            passwordHash: "%s"
            home: s3://%s/dropper/
            permissions: [all]
            publicKeys: ["%s"]
            folders:
              - path: /outbox
                target: s3://%s/outbox/
                permissions: [all]
                quota: { bytes: 6MiB, files: 2 }
          - name: ops
            home: s3://%s/ops/
            admin: true
            publicKeys: ["%s"]
        """.formatted(inbox, bucket, bucket, hash, bucket, hash, bucket, openSsh.publicKey, hash, bucket, openSsh.publicKey, hash, bucket, hash, bucket,
        openSsh.publicKey, bucket, bucket, PublicKeyEntry.toString(opsKey.getPublic()));
    ferry = EmbeddedFerry.start(dir, yaml, Map.of());
  }

  @AfterAll
  static void stop() {
    if (ferry != null) {
      ferry.stop();
    }
  }

  @Test
  void bytesQuota_uploadsPastItFailWhileStreaming_leavingNothing_deleteGivesSpaceBack_overwriteReusesItsBytes()
      throws Exception {
    Path four = write("four.bin", (int) (4 * MIB));
    Path six = write("six.bin", (int) (6 * MIB));
    Lftp lftp = new Lftp(ferry.ftps().port(), "bytes", PASSWORD);

    lftp.run("put " + four + " -o a.bin");                     // 1 MiB before + 4 MiB: 5 of 8
    String refused = lftp.refused("put " + four + " -o b.bin"); // 9 of 8
    assertTrue(refused.contains("552") && refused.contains("quota of 8388608 bytes"), refused);
    String sftpRefused = openSsh.refusedBatch(ferry.sftp().port(), "bytes", "put " + six + " c.bin");
    assertTrue(sftpRefused.toLowerCase().contains("quota") || sftpRefused.contains("Failure"), sftpRefused);
    assertEquals(List.of("bytes/a.bin", "bytes/before.bin"), s3.keys(bucket, "bytes/"),
        "no object of the refused uploads");
    assertEquals(List.of(), s3.multipartUploads(bucket), "no multipart upload left");

    String df = statvfs("bytes", "/");
    assertEquals("total=8388608 free=3145728", df.split(" files=")[0], df);

    lftp.run("put " + six + " -o a.bin");  // replaces a.bin's 4 MiB: 1 + 6 = 7 of 8
    assertArrayEquals(Files.readAllBytes(six), s3.read(bucket, "bytes/a.bin"));
    openSsh.batch(ferry.sftp().port(), "bytes", "rm a.bin");
    lftp.run("put " + six + " -o b.bin");  // a.bin gone: 1 + 6 = 7 of 8
    assertArrayEquals(Files.readAllBytes(six), s3.read(bucket, "bytes/b.bin"));
    assertEquals("total=8388608 free=1048576", statvfs("bytes", "/").split(" files=")[0]);
  }

  @Test
  void filesQuota_aNewFilePastItIsRefusedAtItsOpen_anOverwriteIsNot() throws Exception {
    Path small = write("small.txt", 100);
    Lftp lftp = new Lftp(ferry.ftps().port(), "files", PASSWORD);
    assertEquals("total=1125899906842624 free=1125899906842624 files=3 ffree=3", statvfs("files", "/"),
        "no bytes quota: the large fixed size; a files quota of 3, none used");
    lftp.run("put " + small + " -o 1.txt; put " + small + " -o 2.txt; put " + small + " -o 3.txt");

    String refused = lftp.refused("put " + small + " -o 4.txt");
    assertTrue(refused.contains("552") && refused.contains("quota of 3 files"), refused);
    openSsh.refusedBatch(ferry.sftp().port(), "files", "put " + small + " 5.txt");
    lftp.run("put " + small + " -o 2.txt");
    assertEquals(List.of("files/1.txt", "files/2.txt", "files/3.txt"), s3.keys(bucket, "files/"));
    assertTrue(statvfs("files", "/").endsWith("files=3 ffree=0"), statvfs("files", "/"));
  }

  /**
   * quota show and quota scan over SSH exec: a scan counts again what other S3 clients put in the
   * home or took from it, says the drift, and the users command shows the quota and its use.
   */
  @Test
  void quotaScan_countsWhatOtherS3ClientsChanged_andSaysTheDrift() throws Exception {
    Path small = write("scanned.txt", 1000);
    new Lftp(ferry.ftps().port(), "scanned", PASSWORD).run("put " + small + " -o mine.txt");
    s3.put(bucket, "scanned/theirs.bin", new byte[5000]);

    try (ClientSession ops = ssh.login("ops", ferry.sftp().port(), opsKey)) {
      SshExec shown = SshExec.run(ops, "quota show scanned", Duration.ofSeconds(30));
      assertEquals(0, shown.status(), shown.err());
      assertEquals("scanned: 1000 of 1073741824 bytes, 1 of 100 files\n", shown.out());

      SshExec scanned = SshExec.run(ops, "quota scan scanned", Duration.ofSeconds(30));
      assertEquals(0, scanned.status(), scanned.err());
      assertEquals("scanned: 6000 of 1073741824 bytes, 2 of 100 files\ndrift corrected: 5000 bytes, 1 files\n",
          scanned.out());

      SshExec users = SshExec.run(ops, "users", Duration.ofSeconds(30));
      assertEquals(0, users.status(), users.err());
      assertTrue(users.out().contains("scanned  s3://" + bucket + "/scanned/  delete,list,mkdir,overwrite,read,rename,write"
          + "  sessions 0  quota 6000/1073741824 bytes, 2/100 files"), users.out());
      SshExec noQuota = SshExec.run(ops, "quota scan ops", Duration.ofSeconds(30));
      assertTrue(noQuota.status() != 0 && noQuota.err().contains("user ops has no quota"), noQuota.err());
    }
  }

  /**
   * A virtual folder's own quota: uploads into the folder past it fail (552) leaving nothing, the
   * home beside it is not limited by it, a file renamed out of the folder gives its share back, and
   * {@code quota show USER /folder} shows the folder's use.
   */
  @Test
  void folderQuota_countsTheFolderOnly_refusesPastIt_aRenameOutGivesItsShareBack() throws Exception {
    Path four = write("four-folder.bin", (int) (4 * MIB));
    Path ten = write("ten.bin", (int) (10 * MIB));
    Lftp lftp = new Lftp(ferry.ftps().port(), "dropper", PASSWORD);

    lftp.run("put " + four + " -o /outbox/a.bin; put " + ten + " -o big-in-home.bin");
    String refused = lftp.refused("put " + four + " -o /outbox/b.bin");

    assertTrue(refused.contains("552") && refused.contains("into folder /outbox")
        && refused.contains("quota of 6291456 bytes"), refused);
    assertEquals(List.of("outbox/a.bin"), s3.keys(bucket, "outbox/"), "no object of the refused upload");
    assertArrayEquals(Files.readAllBytes(ten), s3.read(bucket, "dropper/big-in-home.bin"), "the home is not limited");
    try (ClientSession ops = ssh.login("ops", ferry.sftp().port(), opsKey)) {
      SshExec shown = SshExec.run(ops, "quota show dropper /outbox", Duration.ofSeconds(30));
      assertEquals(0, shown.status(), shown.err());
      assertEquals("dropper /outbox: 4194304 of 6291456 bytes, 1 of 2 files\n", shown.out());

      openSsh.batch(ferry.sftp().port(), "dropper", "rename /outbox/a.bin /moved-out.bin");

      assertEquals("dropper /outbox: 0 of 6291456 bytes, 0 of 2 files\n",
          SshExec.run(ops, "quota show dropper /outbox", Duration.ofSeconds(30)).out());
      SshExec noFolder = SshExec.run(ops, "quota show dropper /inbox", Duration.ofSeconds(30));
      assertTrue(noFolder.status() != 0 && noFolder.err().contains("has no folder /inbox"), noFolder.err());
    }
    lftp.run("put " + four + " -o /outbox/b.bin");
    assertArrayEquals(Files.readAllBytes(four), s3.read(bucket, "outbox/b.bin"));
  }

  /**
   * What a watched folder brings into a home and what a workflow moves out of it count as a
   * session's changes do: the usage follows them, and a scan afterwards finds no drift.
   */
  @Test
  void watchedFolderUploadsAndWorkflowMoves_keepTheHomesUsageExact() throws Exception {
    try (ClientSession ops = ssh.login("ops", ferry.sftp().port(), opsKey)) {
      assertEquals("counted: 0 of 1073741824 bytes, 0 of 100 files\n",
          SshExec.run(ops, "quota show counted", Duration.ofSeconds(30)).out(), "counted once, empty");

      Files.write(inbox.resolve("report.bin"), new byte[3000]);
      Await.until(() -> showsUsage(ops, "counted: 3000 of 1073741824 bytes, 1 of 100 files\n"),
          Duration.ofSeconds(30), "the watched folder's upload counted");

      new Lftp(ferry.ftps().port(), "counted", PASSWORD).run("mkdir -p /outgoing; put " + write("ship.bin", 1000)
          + " -o /outgoing/ship.bin");
      Await.until(() -> s3.find(bucket, "shipped/counted/ship.bin").isPresent()
              && s3.find(bucket, "counted/outgoing/ship.bin").isEmpty(),
          Duration.ofSeconds(30), "the workflow's move out of the home");
      Await.until(() -> showsUsage(ops, "counted: 3000 of 1073741824 bytes, 1 of 100 files\n"),
          Duration.ofSeconds(10), "the move out given back");

      SshExec scanned = SshExec.run(ops, "quota scan counted", Duration.ofSeconds(30));
      assertTrue(scanned.out().endsWith("drift corrected: 0 bytes, 0 files\n"), scanned.out());
    }
  }

  private static boolean showsUsage(ClientSession ops, String expected) {
    try {
      return SshExec.run(ops, "quota show counted", Duration.ofSeconds(30)).out().equals(expected);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static KeyPair ed25519() {
    try {
      return KeyUtils.generateKeyPair(KeyPairProvider.SSH_ED25519, 256);
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * What OpenSSH's sftp {@code df} and {@code df -i} (statvfs@openssh.com) say of {@code path}: total
   * and free bytes, total and free files.
   */
  static String statvfs(String user, String path) throws Exception {
    String[] bytes = lastLine(openSsh.output(ferry.sftp().port(), user, "df " + path));
    String[] files = lastLine(openSsh.output(ferry.sftp().port(), user, "df -i " + path));
    // df prints sizes in KiB: Size Used Avail (root) %Capacity; df -i: Inodes Used Avail (root) %Capacity.
    return "total=" + Long.parseLong(bytes[0]) * 1024 + " free=" + Long.parseLong(bytes[2]) * 1024
        + " files=" + files[0] + " ffree=" + files[2];
  }

  private static String[] lastLine(String output) {
    String[] lines = output.strip().split("\n");
    return lines[lines.length - 1].trim().split("\\s+");
  }

  static Path write(String name, int size) throws Exception {
    byte[] bytes = new byte[size];
    new Random(name.hashCode()).nextBytes(bytes);
    Path file = dir.resolve(name);
    Files.write(file, bytes);
    return file;
  }
}
