package dev.ferry.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.testing.S3TestServer;
import dev.ferry.core.user.PasswordHasher;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Virtual folders ({@code users[].folders}) with real clients: a read-only library on another bucket
 * and a write-only drop box on another prefix show in the root's listing as directories; the library
 * is listed and downloaded (lftp, OpenSSH sftp) and refuses uploads, the drop box takes uploads into
 * its own prefix and refuses listing and reading; neither can be removed or renamed; a file renamed
 * from the home into the drop box lands under the drop box's prefix.
 */
class VirtualFoldersIT {

  static final String PASSWORD = "folders-Pa55word";

  @RegisterExtension
  static final S3TestServer s3 = new S3TestServer();

  @TempDir
  static Path dir;

  static FerryServer ferry;
  static OpenSshSftp openSsh;
  static String bucket;
  static String library;

  @BeforeAll
  static void start() throws Exception {
    bucket = s3.createBucket();
    library = s3.createBucket();
    s3.put(library, "published/guide.txt", "the guide".getBytes(StandardCharsets.UTF_8));
    s3.put(library, "published/docs/spec.txt", "the spec".getBytes(StandardCharsets.UTF_8));
    s3.put(library, "unpublished/secret.txt", "not for partners".getBytes(StandardCharsets.UTF_8));
    s3.put(bucket, "partner/mine.txt", "my own".getBytes(StandardCharsets.UTF_8));
    openSsh = OpenSshSftp.withNewKey(Files.createDirectories(dir.resolve("key")));
    String yaml = EmbeddedFerry.loopbackConfig(dir.resolve("data"), s3) + """
        users:
          - name: partner
            passwordHash: "%s"
            home: s3://%s/partner/
            permissions: [all]
            publicKeys: ["%s"]
            folders:
              - path: /library
                target: s3://%s/published/
                permissions: [list, read]
              - path: /dropbox
                target: s3://%s/drop/partner/
                permissions: [write]
        """.formatted(PasswordHasher.hash(PASSWORD.toCharArray()), bucket, openSsh.publicKey, library, bucket);
    ferry = EmbeddedFerry.start(dir, yaml, Map.of());
  }

  @AfterAll
  static void stop() {
    if (ferry != null) {
      ferry.stop();
    }
  }

  @Test
  void rootListing_showsTheFoldersAsDirectories_besideTheHomesFiles() throws Exception {
    String listing = openSsh.output(ferry.sftp().port(), "partner", "ls -1 /");
    assertTrue(listing.contains("dropbox") && listing.contains("library") && listing.contains("mine.txt"), listing);
    assertFalse(listing.contains("secret"), listing);
    String long_ = openSsh.output(ferry.sftp().port(), "partner", "ls -l /");
    assertTrue(long_.lines().anyMatch(line -> line.startsWith("d") && line.endsWith("library")), long_);
  }

  @Test
  void readOnlyLibrary_listedAndDownloaded_uploadRefused_nothingWritten() throws Exception {
    Path local = dir.resolve("spec.txt");
    String listing = openSsh.output(ferry.sftp().port(), "partner", "ls -1 /library", "ls -1 /library/docs");
    assertTrue(listing.contains("guide.txt") && listing.contains("docs") && listing.contains("spec.txt"), listing);
    openSsh.batch(ferry.sftp().port(), "partner", "get /library/docs/spec.txt " + local);
    assertEquals("the spec", Files.readString(local));
    Lftp lftp = new Lftp(ferry.ftps().port(), "partner", PASSWORD);
    lftp.run("get /library/guide.txt -o " + dir.resolve("guide.txt"));
    assertEquals("the guide", Files.readString(dir.resolve("guide.txt")));

    String refused = lftp.refused("put " + local + " -o /library/new.txt");
    assertTrue(refused.contains("550") && refused.contains("permission 'write' not granted"), refused);
    openSsh.refusedBatch(ferry.sftp().port(), "partner", "put " + local + " /library/new.txt");
    assertEquals(List.of("published/docs/spec.txt", "published/guide.txt"), s3.keys(library, "published/"));
  }

  @Test
  void writeOnlyDropBox_takesUploadsIntoItsPrefix_refusesListingAndReading() throws Exception {
    Path report = dir.resolve("report.csv");
    Files.writeString(report, "a,b\n1,2\n");

    new Lftp(ferry.ftps().port(), "partner", PASSWORD).run("put " + report + " -o /dropbox/report.csv");
    openSsh.batch(ferry.sftp().port(), "partner", "put " + report + " /dropbox/by-sftp.csv");

    assertArrayEquals(Files.readAllBytes(report), s3.read(bucket, "drop/partner/report.csv"));
    assertArrayEquals(Files.readAllBytes(report), s3.read(bucket, "drop/partner/by-sftp.csv"));
    assertTrue(s3.find(bucket, "partner/dropbox/report.csv").isEmpty(), "not in the home");
    openSsh.refusedBatch(ferry.sftp().port(), "partner", "ls /dropbox");
    openSsh.refusedBatch(ferry.sftp().port(), "partner", "get /dropbox/report.csv " + dir.resolve("back.csv"));
  }

  @Test
  void foldersThemselves_cannotBeRemovedOrRenamed_aHomeFileRenamedIntoTheDropBoxLandsInItsPrefix() throws Exception {
    String rmdir = openSsh.refusedBatch(ferry.sftp().port(), "partner", "rmdir /library");
    assertTrue(rmdir.contains("library"), rmdir);
    openSsh.refusedBatch(ferry.sftp().port(), "partner", "rename /dropbox /elsewhere");
    openSsh.refusedBatch(ferry.sftp().port(), "partner", "mkdir /library");
    s3.put(bucket, "partner/outgoing.txt", "to deliver".getBytes(StandardCharsets.UTF_8));

    openSsh.batch(ferry.sftp().port(), "partner", "rename /outgoing.txt /dropbox/outgoing.txt");

    assertEquals("to deliver", new String(s3.read(bucket, "drop/partner/outgoing.txt"), StandardCharsets.UTF_8));
    assertTrue(s3.find(bucket, "partner/outgoing.txt").isEmpty(), "moved, not copied");
    openSsh.refusedBatch(ferry.sftp().port(), "partner", "rename /mine.txt /library/mine.txt");
    assertTrue(s3.find(bucket, "partner/mine.txt").isPresent(), "a refused rename leaves the file where it was");
  }
}
