package dev.ferry.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.testing.S3TestServer;
import dev.ferry.core.user.PasswordHasher;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A virtual folder on another S3 service ({@code storages:}): a second S3Proxy process, with keys
 * of its own that the first does not know, holds the folder's objects. Uploads by lftp and OpenSSH
 * land there byte-exact (a single PUT and a multipart upload), with their provenance, and nothing of
 * them reaches the first service; what was there before is listed and downloaded; renames between
 * the home and the folder (a file of one part, one of several, a directory) move the bytes from one
 * service to the other and leave nothing behind.
 */
class StoragesIT {

  static final String PASSWORD = "storages-Pa55word";
  static final String TOKEN = "storages-admin-token-0123456789";

  @RegisterExtension
  static final S3TestServer s3 = new S3TestServer();

  @RegisterExtension
  static final S3TestServer archive = S3TestServer.ownS3Proxy();

  @TempDir
  static Path dir;

  static FerryServer ferry;
  static OpenSshSftp openSsh;
  static String bucket;
  static String archiveBucket;

  @BeforeAll
  static void start() throws Exception {
    bucket = s3.createBucket();
    archiveBucket = archive.createBucket();
    archive.put(archiveBucket, "acme/2025/old-report.csv", "year,total\n2025,7\n".getBytes(StandardCharsets.UTF_8));
    openSsh = OpenSshSftp.withNewKey(Files.createDirectories(dir.resolve("key")));
    String yaml = EmbeddedFerry.loopbackConfig(dir.resolve("data"), s3) + """
        admin:
          http:
            bindAddress: 127.0.0.1
            port: 0
            token: %s
        storages:
          - name: archive
            endpoint: %s
            accessKey: %s
            secretKey: %s
        users:
          - name: acme
            passwordHash: "%s"
            home: s3://%s/acme/
            permissions: [all]
            publicKeys: ["%s"]
            folders:
              - path: /archive
                target: s3://%s/acme/
                storage: archive
                permissions: [all]
        """.formatted(TOKEN, archive.endpoint(), archive.accessKey(), archive.secretKey(),
        PasswordHasher.hash(PASSWORD.toCharArray()), bucket, openSsh.publicKey, archiveBucket);
    ferry = EmbeddedFerry.start(dir, yaml, Map.of());
  }

  @AfterAll
  static void stop() {
    if (ferry != null) {
      ferry.stop();
    }
  }

  @Test
  void uploadsIntoTheFolder_landOnTheOtherService_byteExact_withTheirProvenance() throws Exception {
    Path small = Files.writeString(dir.resolve("small.csv"), "a,b\n1,2\n");
    Path large = write(dir.resolve("large.bin"), 20 << 20); // parts of 8 MiB: a multipart upload
    Path bySftp = write(dir.resolve("by-sftp.bin"), 3 << 20);

    new Lftp(ferry.ftps().port(), "acme", PASSWORD).run("put " + small + " -o /archive/small.csv; put " + large
        + " -o /archive/large.bin");
    openSsh.batch(ferry.sftp().port(), "acme", "put " + bySftp + " /archive/by-sftp.bin");

    assertArrayEquals(Files.readAllBytes(small), archive.read(archiveBucket, "acme/small.csv"));
    assertArrayEquals(Files.readAllBytes(large), archive.read(archiveBucket, "acme/large.bin"));
    assertArrayEquals(Files.readAllBytes(bySftp), archive.read(archiveBucket, "acme/by-sftp.bin"));
    Map<String, String> provenance = archive.metadata(archiveBucket, "acme/large.bin");
    assertEquals("acme", provenance.get("ferry-user"), provenance.toString());
    assertEquals("FTPS", provenance.get("ferry-protocol"), provenance.toString());
    assertEquals(List.of(), archive.multipartUploads(archiveBucket));
    assertEquals(List.of(), s3.keys(bucket, "").stream()
        .filter(key -> key.matches(".*(small.csv|large.bin|by-sftp.bin)")).toList(),
        "nothing of the folder's uploads on the first service");
  }

  @Test
  void whatTheOtherServiceHeld_isListedAndDownloaded() throws Exception {
    String listing = openSsh.output(ferry.sftp().port(), "acme", "ls -1 /", "ls -1 /archive/2025");
    assertTrue(listing.contains("archive") && listing.contains("old-report.csv"), listing);
    Path local = dir.resolve("old-report.csv");
    openSsh.batch(ferry.sftp().port(), "acme", "get /archive/2025/old-report.csv " + local);
    assertEquals("year,total\n2025,7\n", Files.readString(local));
    Lftp lftp = new Lftp(ferry.ftps().port(), "acme", PASSWORD);
    assertTrue(lftp.output("cls -1 /archive/2025/").contains("old-report.csv"));
  }

  @Test
  void renamesBetweenTheHomeAndTheFolder_moveTheBytesFromOneServiceToTheOther() throws Exception {
    byte[] note = "to keep for ten years".getBytes(StandardCharsets.UTF_8);
    byte[] big = bytes(21 << 20, 7); // two relayed parts of 10.5 MiB
    s3.put(bucket, "acme/outgoing/note.txt", note);
    s3.put(bucket, "acme/outgoing/big.bin", big);
    s3.put(bucket, "acme/tree/a.txt", note);
    s3.put(bucket, "acme/tree/sub/b.txt", note);

    openSsh.batch(ferry.sftp().port(), "acme", "rename /outgoing/note.txt /archive/note.txt",
        "rename /outgoing/big.bin /archive/big.bin", "rename /tree /archive/tree");

    assertArrayEquals(note, archive.read(archiveBucket, "acme/note.txt"));
    assertArrayEquals(big, archive.read(archiveBucket, "acme/big.bin"));
    assertArrayEquals(note, archive.read(archiveBucket, "acme/tree/a.txt"));
    assertArrayEquals(note, archive.read(archiveBucket, "acme/tree/sub/b.txt"));
    assertEquals(List.of(), s3.keys(bucket, "acme/outgoing/").stream().filter(k -> !k.endsWith("/")).toList());
    assertEquals(List.of(), s3.keys(bucket, "acme/tree/"));
    assertEquals(List.of(), archive.multipartUploads(archiveBucket));

    openSsh.batch(ferry.sftp().port(), "acme", "rename /archive/note.txt /back.txt");
    assertArrayEquals(note, s3.read(bucket, "acme/back.txt"));
    assertFalse(archive.find(archiveBucket, "acme/note.txt").isPresent(), "moved back, not copied");
  }

  /**
   * A user kept as data may have a folder on a storage too: given to the users API with a bucket of
   * the other service that no other place names, it is written through at the next login; a bucket
   * another folder has on the other storage cannot be put on the s3: service, nor a folder on a
   * storage ferry.yaml does not have.
   */
  @Test
  void aFolderOnTheOtherService_givenThroughTheUsersApi_writtenThroughAtTheNextLogin() throws Exception {
    String partnerBucket = archive.createBucket();
    String home = "s3://" + bucket + "/beta/";

    int created = users("POST", """
        {"name": "beta", "password": "%s", "home": "%s", "permissions": ["all"],
         "folders": [{"path": "/vault", "target": "s3://%s/beta/", "storage": "archive", "permissions": ["all"]}]}
        """.formatted(PASSWORD, home, partnerBucket)).statusCode();
    assertEquals(201, created);
    Path file = write(dir.resolve("vault.bin"), 6 << 20);
    new Lftp(ferry.ftps().port(), "beta", PASSWORD).run("put " + file + " -o /vault/vault.bin");

    assertArrayEquals(Files.readAllBytes(file), archive.read(partnerBucket, "beta/vault.bin"));
    s3.createBucket(archiveBucket); // the same name on the s3: service: requests could go to either
    HttpResponse<String> sameBucketOnS3 = users("POST", """
        {"name": "gamma", "password": "%s", "home": "s3://%s/gamma/",
         "folders": [{"path": "/x", "target": "s3://%s/gamma/"}]}""".formatted(PASSWORD, bucket, archiveBucket));
    assertEquals(409, sameBucketOnS3.statusCode(), sameBucketOnS3.body());
    assertTrue(sameBucketOnS3.body().contains("a bucket is on one storage"), sameBucketOnS3.body());
    HttpResponse<String> unknown = users("POST", """
        {"name": "gamma", "password": "%s", "home": "s3://%s/gamma/",
         "folders": [{"path": "/x", "target": "s3://%s/gamma/", "storage": "glacier"}]}""".formatted(PASSWORD, bucket,
        partnerBucket));
    assertEquals(400, unknown.statusCode(), unknown.body());
    assertTrue(unknown.body().contains("folders[0].storage: names no storage: 'glacier'"), unknown.body());
  }

  private static HttpResponse<String> users(String method, String body) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
            + ferry.adminHttp().port() + "/api/v1/users")).timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
        .method(method, HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static Path write(Path file, int size) throws Exception {
    return Files.write(file, bytes(size, size));
  }

  private static byte[] bytes(int size, long seed) {
    byte[] data = new byte[size];
    new Random(seed).nextBytes(data);
    return data;
  }
}
