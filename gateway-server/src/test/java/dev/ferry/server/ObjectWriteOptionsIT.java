package dev.ferry.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.core.testing.Await;
import dev.ferry.core.testing.S3RequestLog;
import dev.ferry.core.testing.S3TestServer;
import dev.ferry.core.user.PasswordHasher;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * What every object is written with ({@code s3:} options of the node and of a user), against S3Mock,
 * an S3-API server that implements encryption, storage classes and tags (S3Proxy refuses them):
 * uploads over FTPS (lftp) and SFTP (OpenSSH), single PUT and multipart, a rename's copy and a
 * watched folder's upload into a partner's home are read back with awscli's head-object and
 * get-object-tagging as an operator would, and the requests on the wire carry the options on the
 * request that makes the object (no second write). A KMS key S3 does not know fails the upload and
 * leaves nothing. (The tags' values need no URL encoding here: S3Mock keeps x-amz-tagging's values
 * as sent, without decoding them as S3 does; WriteOptionsTest checks the encoding.)
 */
class ObjectWriteOptionsIT {

  static final String PASSWORD = "options-Pa55word";
  static final String TOKEN = "write-options-token-0123456789";
  static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension
  static final S3TestServer s3 = S3TestServer.withS3Mock();

  @RegisterExtension
  static final S3TestServer plainS3 = S3TestServer.ownS3Proxy();

  @TempDir
  static Path dir;

  static FerryServer ferry;
  static S3RequestLog wire;
  static AwsCli aws;
  static OpenSshSftp acmeOpenSsh;
  static String bucket;
  static String versionedBucket;
  static String plainBucket;
  static Path inbox;

  @BeforeAll
  static void start() throws Exception {
    bucket = s3.createBucket();
    versionedBucket = s3.createBucket();
    wire = new S3RequestLog(s3.endpoint());
    aws = new AwsCli(s3, dir);
    acmeOpenSsh = OpenSshSftp.withNewKey(Files.createDirectories(dir.resolve("acme-key")));
    inbox = Files.createDirectories(dir.resolve("inbox"));
    aws.s3api("put-bucket-versioning", "--bucket", versionedBucket, "--versioning-configuration", "Status=Enabled");
    String hash = PasswordHasher.hash(PASSWORD.toCharArray());
    String yaml = """
        dataDir: %s
        s3:
          endpoint: %s
          accessKey: %s
          secretKey: %s
          sse: AES256
        ftps:
          bindAddress: 127.0.0.1
          port: 0
          implicitPort: -1
          passivePorts: "0"
        sftp:
          bindAddress: 127.0.0.1
          port: 0
        admin:
          http:
            port: 0
            token: %s
        uploads:
          partSize: 5MiB
          singlePutLimit: 5MiB
        watch:
          - name: inbox
            directory: %s
            target: s3://%s/acme/inbox/
        users:
          - name: acme
            passwordHash: "%s"
            home: s3://%s/acme/
            permissions: [all]
            publicKeys: ["%s"]
            s3:
              sse: aws:kms
              kmsKeyId: %s
              bucketKey: true
              storageClass: STANDARD_IA
              acl: bucket-owner-full-control
              tags: { partner: acme, purpose: dropbox }
          - name: plain
            passwordHash: "%s"
            home: s3://%s/plain/
            permissions: [all]
            %s
          - name: versioned
            passwordHash: "%s"
            home: s3://%s/versioned/
            permissions: [all]
            publicKeys: ["%s"]
          - name: badkey
            passwordHash: "%s"
            home: s3://%s/badkey/
            permissions: [all]
            s3:
              sse: aws:kms
              kmsKeyId: no-such-key
        """.formatted(dir.resolve("data"), wire.endpoint(), s3.accessKey(), s3.secretKey(), TOKEN, inbox, bucket, hash,
        bucket,
        acmeOpenSsh.publicKey, s3.kmsKeyId(), hash, bucket, plainFolders(), hash, versionedBucket, acmeOpenSsh.publicKey, hash, bucket);
    ferry = EmbeddedFerry.start(dir, yaml + """
        storages:
          - name: plain
            endpoint: %s
            accessKey: %s
            secretKey: %s
        """.formatted(plainS3.endpoint(), plainS3.accessKey(), plainS3.secretKey()), Map.of());
  }

  /**
   * User plain's folders: /cold with options of its own, /proxied on a storage of its own, an S3Proxy
   * (which refuses every request carrying encryption or tags).
   */
  private static String plainFolders() {
    plainBucket = plainS3.createBucket();
    return """
        folders:
              - path: /cold
                target: s3://%s/cold/plain/
                permissions: [all]
                s3: { storageClass: ONEZONE_IA, tags: { tier: cold } }
              - path: /proxied
                target: s3://%s/plain/
                storage: plain
                permissions: [all]""".formatted(bucket, plainBucket);
  }

  @AfterAll
  static void stop() throws Exception {
    if (ferry != null) {
      ferry.stop();
    }
    if (wire != null) {
      wire.close();
    }
  }

  @Test
  void ftpsSinglePut_encryptedWithTheUsersKmsKey_classedTaggedAndProvenanced_inTheOnePut() throws Exception {
    Path file = write("report.csv", 4096);

    new Lftp(ferry.ftps().port(), "acme", PASSWORD).run("put " + file + " -o report.csv");

    JsonNode head = aws.headObject(bucket, "acme/report.csv");
    assertEquals("aws:kms", head.path("ServerSideEncryption").asText(), head.toString());
    assertEquals(s3.kmsKeyId(), head.path("SSEKMSKeyId").asText(), head.toString());
    assertTrue(head.path("BucketKeyEnabled").asBoolean(), head.toString());
    assertEquals("STANDARD_IA", head.path("StorageClass").asText(), head.toString());
    assertEquals("acme", head.path("Metadata").path("ferry-user").asText(), head.toString());
    assertEquals("FTPS", head.path("Metadata").path("ferry-protocol").asText(), head.toString());
    assertEquals(Map.of("partner", "acme", "purpose", "dropbox"), aws.tags(bucket, "acme/report.csv"));
    List<S3RequestLog.Request> writes = wire.requests("/acme/report.csv", S3RequestLog.Request::writesObject);
    assertEquals(1, writes.size(), "one request made the object: " + writes);
    assertEquals("bucket-owner-full-control", writes.get(0).headers().get("x-amz-acl"), writes.get(0).headers().toString());
  }

  @Test
  void sftpMultipartUpload_andARenamesCopy_carryTheOptionsOnTheRequestsThatMakeTheObjects() throws Exception {
    Path big = write("big.bin", 12 * 1024 * 1024);

    acmeOpenSsh.batch(ferry.sftp().port(), "acme", "put " + big + " big.bin", "rename big.bin moved.bin");

    List<S3RequestLog.Request> created = wire.requests("/acme/big.bin",
        r -> r.method().equals("POST") && r.query().startsWith("uploads"));
    assertEquals(1, created.size(), "one CreateMultipartUpload: " + wire.requests());
    Map<String, String> headers = created.get(0).headers();
    assertEquals("aws:kms", headers.get("x-amz-server-side-encryption"), headers.toString());
    assertEquals(s3.kmsKeyId(), headers.get("x-amz-server-side-encryption-aws-kms-key-id"), headers.toString());
    assertEquals("true", headers.get("x-amz-server-side-encryption-bucket-key-enabled"), headers.toString());
    assertEquals("STANDARD_IA", headers.get("x-amz-storage-class"), headers.toString());
    assertEquals("partner=acme&purpose=dropbox", headers.get("x-amz-tagging"), headers.toString());
    List<S3RequestLog.Request> copies = wire.requests("/acme/moved.bin", S3RequestLog.Request::isCopy);
    assertEquals(1, copies.size(), "the rename's one CopyObject: " + wire.requests());
    assertEquals("aws:kms", copies.get(0).headers().get("x-amz-server-side-encryption"));
    assertEquals("STANDARD_IA", copies.get(0).headers().get("x-amz-storage-class"));
    JsonNode moved = aws.headObject(bucket, "acme/moved.bin");
    assertEquals(12 * 1024 * 1024, moved.path("ContentLength").asLong());
    assertEquals("aws:kms", moved.path("ServerSideEncryption").asText(), moved.toString());
    assertEquals("STANDARD_IA", moved.path("StorageClass").asText(), moved.toString());
    assertEquals(Map.of("partner", "acme", "purpose", "dropbox"), aws.tags(bucket, "acme/moved.bin"));
  }

  @Test
  void aUserWithoutOptions_getsTheNodesDefaults() throws Exception {
    Path file = write("plain.txt", 100);

    new Lftp(ferry.ftps().port(), "plain", PASSWORD).run("put " + file + " -o plain.txt");

    JsonNode head = aws.headObject(bucket, "plain/plain.txt");
    assertEquals("AES256", head.path("ServerSideEncryption").asText(), head.toString());
    assertFalse(head.has("SSEKMSKeyId"), head.toString());
    assertEquals(Map.of(), aws.tags(bucket, "plain/plain.txt"));
  }

  @Test
  void aFolderWithOptionsOfItsOwn_andAFolderOnAnotherStorage_eachWrittenWithTheirOwn() throws Exception {
    Path file = write("folder.bin", 6 * 1024 * 1024);

    new Lftp(ferry.ftps().port(), "plain", PASSWORD).run("put " + file + " -o /cold/folder.bin; put " + file
        + " -o /proxied/folder.bin");

    JsonNode head = aws.headObject(bucket, "cold/plain/folder.bin");
    assertEquals("ONEZONE_IA", head.path("StorageClass").asText(), head.toString());
    assertEquals(Map.of("tier", "cold"), aws.tags(bucket, "cold/plain/folder.bin"));
    List<S3RequestLog.Request> created = wire.requests("/cold/plain/folder.bin",
        r -> r.method().equals("POST") && r.query().startsWith("uploads"));
    assertEquals(1, created.size(), "one CreateMultipartUpload: " + wire.requests());
    assertEquals("AES256", created.get(0).headers().get("x-amz-server-side-encryption"),
        "the node's encryption under the folder's class: " + created.get(0).headers());
    // S3Proxy answers NotImplemented to encryption and tags: the upload lands only if the s3: section's
    // AES256 stayed with its own service.
    assertTrue(Arrays.equals(Files.readAllBytes(file), plainS3.read(plainBucket, "plain/folder.bin")),
        "the other storage's object holds the file");
  }

  @Test
  void watchedFolderUploadIntoAPartnersHome_writtenWithThePartnersOptions() throws Exception {
    Path landing = inbox.resolve("landed.csv.part");
    Files.write(landing, new byte[2048]);
    Files.move(landing, inbox.resolve("landed.csv"));

    Await.until(() -> s3.find(bucket, "acme/inbox/landed.csv").isPresent(), Duration.ofSeconds(30),
        "the watched folder's upload of landed.csv");
    JsonNode head = aws.headObject(bucket, "acme/inbox/landed.csv");
    assertEquals("aws:kms", head.path("ServerSideEncryption").asText(), head.toString());
    assertEquals("STANDARD_IA", head.path("StorageClass").asText(), head.toString());
    assertEquals("watch", head.path("Metadata").path("ferry-origin").asText(), head.toString());
    assertEquals(Map.of("partner", "acme", "purpose", "dropbox"), aws.tags(bucket, "acme/inbox/landed.csv"));
  }

  @Test
  void kmsKeyS3DoesNotKnow_uploadFails_leavingNoObjectAndNoMultipartUpload() throws Exception {
    Path small = write("small.txt", 100);
    Path big = write("big-bad.bin", 12 * 1024 * 1024);

    // 550, not 451: the same request would be refused again, so lftp gives up instead of retrying.
    String single = new Lftp(ferry.ftps().port(), "badkey", PASSWORD).refused("put " + small + " -o small.txt");
    assertTrue(single.contains("550") && single.contains("no-such-key") && single.contains("nothing was stored"),
        single);
    String multipart = new Lftp(ferry.ftps().port(), "badkey", PASSWORD).refused("put " + big + " -o big.bin");
    assertTrue(multipart.contains("550") && multipart.contains("no-such-key"), multipart);

    assertEquals(List.of(), s3.keys(bucket, "badkey/"));
    assertEquals(List.of(), s3.multipartUploads(bucket).stream().filter(k -> k.startsWith("badkey/")).toList());
  }

  /**
   * In a versioned bucket each completed write is one version, and only those: an upload, then the
   * client setting its time (MFMT; SFTP's setstat), then a resume of the same file (lftp's put -c,
   * OpenSSH's reput) leave two versions, the later one the whole file.
   */
  @Test
  void versionedBucket_uploadTimeChangeAndResume_leaveOneVersionPerCompletedWrite() throws Exception {
    Path whole = write("whole.bin", 3 * 1024 * 1024);
    Path half = dir.resolve("half.bin");
    Files.write(half, Arrays.copyOf(Files.readAllBytes(whole), 1536 * 1024));
    Lftp lftp = new Lftp(ferry.ftps().port(), "versioned", PASSWORD);

    lftp.run("put " + half + " -o ftps.bin; quote MFMT 20200102030405 ftps.bin; put -c " + whole + " -o ftps.bin");
    acmeOpenSsh.batch(ferry.sftp().port(), "versioned", "put " + half + " sftp.bin", "reput " + whole + " sftp.bin");

    for (String name : List.of("ftps.bin", "sftp.bin")) {
      JsonNode versions = aws.s3api("list-object-versions", "--bucket", versionedBucket, "--prefix", "versioned/" + name);
      assertEquals(2, versions.path("Versions").size(), name + ": " + versions);
      assertFalse(versions.has("DeleteMarkers") && versions.path("DeleteMarkers").size() > 0, versions.toString());
      assertTrue(Arrays.equals(Files.readAllBytes(whole), s3.read(versionedBucket, "versioned/" + name)),
          name + " is the whole file");
    }
  }

  /**
   * A user kept as data gets its s3 options through the API: in force for its next upload on this
   * node, shown back, cleared by an empty object; options S3 would refuse, or another user's home
   * with other options, are refused naming the field and change nothing.
   */
  @Test
  void userKeptAsData_s3OptionsAndBandwidthFromTheApi_inForceAtItsNextUpload() throws Exception {
    Map<String, Object> options = Map.of("sse", "aws:kms", "kmsKeyId", s3.kmsKeyId(), "storageClass", "GLACIER_IR",
        "tags", Map.of("partner", "beta"));
    JsonNode created = api("POST", "", Map.of("name", "beta", "password", PASSWORD, "permissions", List.of("all"),
        "home", "s3://" + bucket + "/beta/", "s3", options, "bandwidth", Map.of("up", "512MiB/s"),
        "quota", Map.of("bytes", "1GiB", "files", 10)));
    assertEquals(201, created.path("httpStatus").asInt(), created.toString());
    assertEquals("GLACIER_IR", created.path("s3").path("storageClass").asText(), created.toString());
    assertEquals(512L * 1024 * 1024, created.path("bandwidth").path("up").asLong(), created.toString());
    assertEquals(0, created.path("bandwidth").path("down").asLong(), created.toString());
    assertEquals(1L << 30, created.path("quota").path("bytes").asLong(), created.toString());
    assertEquals(10, created.path("quota").path("files").asLong(), created.toString());
    Path file = write("beta.txt", 2048);

    new Lftp(ferry.ftps().port(), "beta", PASSWORD).run("put " + file + " -o first.txt");

    JsonNode head = aws.headObject(bucket, "beta/first.txt");
    assertEquals("aws:kms", head.path("ServerSideEncryption").asText(), head.toString());
    assertEquals("GLACIER_IR", head.path("StorageClass").asText(), head.toString());
    assertEquals(Map.of("partner", "beta"), aws.tags(bucket, "beta/first.txt"));

    JsonNode cleared = api("PATCH", "/beta", Map.of("s3", Map.of()));
    assertEquals(200, cleared.path("httpStatus").asInt(), cleared.toString());
    new Lftp(ferry.ftps().port(), "beta", PASSWORD).run("put " + file + " -o second.txt");
    JsonNode second = aws.headObject(bucket, "beta/second.txt");
    assertEquals("AES256", second.path("ServerSideEncryption").asText(), "the node's default now: " + second);

    Map<String, String> refused = Map.of(
        "s3.sse: must be one of AES256, aws:kms, aws:kms:dsse, got 'AES128'", "{\"s3\": {\"sse\": \"AES128\"}}",
        "s3.colour: unknown field", "{\"s3\": {\"colour\": \"blue\"}}",
        "bandwidth.up: must be a rate such as 20MiB/s", "{\"bandwidth\": {\"up\": \"fast\"}}",
        "quota.bytes: must be a size such as 8MiB", "{\"quota\": {\"bytes\": \"lots\"}}",
        "users 'acme' and 'beta' share the home", "{\"home\": \"s3://" + bucket + "/acme/\", \"s3\": {}}");
    for (Map.Entry<String, String> bad : refused.entrySet()) {
      JsonNode answer = apiRaw("PATCH", "/beta", bad.getValue());
      assertTrue(answer.path("httpStatus").asInt() == 400 || answer.path("httpStatus").asInt() == 409,
          bad.getKey() + ": " + answer);
      assertTrue(answer.path("error").asText().contains(bad.getKey()), bad.getKey() + ": " + answer);
    }
    assertEquals(cleared.path("version").asInt(), api("GET", "/beta", null).path("version").asInt(),
        "the refused changes changed nothing");
  }

  static JsonNode api(String method, String path, Object body) throws Exception {
    return apiRaw(method, path, body == null ? null : JSON.writeValueAsString(body));
  }

  static JsonNode apiRaw(String method, String path, String body) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
            + ferry.adminHttp().port() + "/api/v1/users" + path)).timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body)).build();
    HttpResponse<String> response = HttpClient.newHttpClient().send(request,
        HttpResponse.BodyHandlers.ofString());
    ObjectNode json = response.body().isBlank() ? JSON.createObjectNode()
        : (ObjectNode) JSON.readTree(response.body());
    json.put("httpStatus", response.statusCode());
    return json;
  }

  private static Path write(String name, int size) throws Exception {
    byte[] bytes = new byte[size];
    new Random(name.hashCode()).nextBytes(bytes);
    Path file = dir.resolve(name);
    Files.write(file, bytes);
    return file;
  }
}
