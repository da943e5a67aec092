package dev.ferry.core.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A real S3-API server on loopback for ITs, plus a blocking client to check what landed in it.
 *
 * <pre>{@code @RegisterExtension static final S3TestServer s3 = new S3TestServer();}</pre>
 *
 * <p>Which server ({@link S3ServerChoice}): with {@code S3_TEST_ENDPOINT} set (e.g. by
 * {@code minio-start.sh}) that server is used as is. Otherwise, where a Docker engine answers,
 * MinIO in a container (Testcontainers, the design card's choice), else S3Proxy, found through the
 * system property {@value #JAR_PROPERTY} that the build sets, as a child process; either on a free
 * loopback port with random keys, and only these can a test {@link #stop()} and {@link #start()} to
 * simulate an S3 outage.
 *
 * <p>{@link #withS3Mock()} runs Adobe's S3Mock instead (always its own process, jar from
 * {@value #S3MOCK_JAR_PROPERTY}), for what S3Proxy answers {@code NotImplemented}: server-side
 * encryption with the KMS key {@link #kmsKeyId()}, storage classes, tags. Measured against it: a
 * single PUT's encryption, storage class, tags and metadata read back as sent; an object made by a
 * multipart upload keeps its storage class, tags and metadata but HEAD shows no encryption (the
 * upload's request carried it: check that on the wire with {@link S3RequestLog}); a CopyObject
 * ignores {@code x-amz-tagging-directive: REPLACE} and keeps the source's tags; tag values are kept
 * as sent in {@code x-amz-tagging}, without the URL decoding S3 does; canned ACLs are taken and not
 * kept.
 */
public final class S3TestServer implements BeforeAllCallback, AfterAllCallback {

  public static final String JAR_PROPERTY = "ferry.s3proxy.jar";
  public static final String S3MOCK_JAR_PROPERTY = "ferry.s3mock.jar";
  private static final String KMS_KEY_ID = "ferry-test-key";
  private static final String REGION = "us-east-1";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final boolean s3Mock;
  /** Whether {@code S3_TEST_ENDPOINT} may stand in for the process this would run. */
  private final boolean externalAllowed;
  private int users;
  private URI endpoint;
  private String accessKey;
  private String secretKey;
  private S3Server process;
  private S3ServerChoice.Kind kind;
  private Path dataDir;
  private Thread shutdownHook;
  private S3Client client;

  /** S3Proxy, or the server at {@code S3_TEST_ENDPOINT} when that is set. */
  public S3TestServer() {
    this(false, true);
  }

  private S3TestServer(boolean s3Mock, boolean externalAllowed) {
    this.s3Mock = s3Mock;
    this.externalAllowed = externalAllowed;
  }

  /** Adobe's S3Mock as a process of its own, whatever {@code S3_TEST_ENDPOINT} says. */
  public static S3TestServer withS3Mock() {
    return new S3TestServer(true, false);
  }

  /**
   * S3Proxy as a process of its own with keys of its own, whatever {@code S3_TEST_ENDPOINT} says: a
   * second S3 service beside the first, as another account or provider would be.
   */
  public static S3TestServer ownS3Proxy() {
    return new S3TestServer(false, false);
  }

  /** The id of the KMS key S3Mock takes as valid (any other is refused with KMS.NotFoundException). */
  public String kmsKeyId() {
    return KMS_KEY_ID;
  }

  @Override
  public synchronized void beforeAll(ExtensionContext context) {
    // Nested test classes inherit the extension and call beforeAll again: share one server.
    if (users++ > 0) {
      return;
    }
    kind = s3Mock ? null : externalAllowed ? S3ServerChoice.forThisMachine().kind() : S3ServerChoice.Kind.S3PROXY;
    if (kind == S3ServerChoice.Kind.EXTERNAL) {
      endpoint = URI.create(System.getenv("S3_TEST_ENDPOINT"));
      accessKey = envOr("S3_TEST_ACCESS_KEY", "ferrydev");
      secretKey = envOr("S3_TEST_SECRET_KEY", "ferrydevsecret");
    } else {
      startOwnServer();
    }
    client = newClient();
  }

  @Override
  public synchronized void afterAll(ExtensionContext context) {
    if (--users > 0) {
      return;
    }
    if (client != null) {
      client.close();
      client = null;
    }
    if (process != null) {
      process.stop();
      process.kill(); // a container is removed; a process stopped has nothing left to kill
      process = null;
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
      if (dataDir != null) {
        deleteTree(dataDir);
      }
    }
  }

  /** Which server this is: S3Mock (null), the external one, MinIO in a container, or S3Proxy. */
  S3ServerChoice.Kind kind() {
    return kind;
  }

  /** The {@code s3:} section of a ferry.yaml that points Ferry at this server (top level, no final newline). */
  public String configSection() {
    return "s3:\n  endpoint: " + endpoint() + "\n  accessKey: " + accessKey() + "\n  secretKey: " + secretKey();
  }

  public URI endpoint() {
    return endpoint;
  }

  public String accessKey() {
    return accessKey;
  }

  public String secretKey() {
    return secretKey;
  }

  public String region() {
    return REGION;
  }

  /** Path-style, checksums only where S3 requires them: the same choices as the gateway's store. */
  public S3Client client() {
    if (client == null) {
      throw new IllegalStateException("S3TestServer is not running: register it with "
          + "@RegisterExtension on a static field");
    }
    return client;
  }

  /** A bucket no other test uses, so tests need no cleanup between them. */
  public String createBucket() {
    String name = "ferry-" + HexFormat.of().formatHex(randomBytes(6));
    createBucket(name);
    return name;
  }

  public void createBucket(String name) {
    client().createBucket(b -> b.bucket(name));
  }

  /**
   * Stores {@code data}. The blocking test client sometimes meets a keep-alive connection S3Proxy
   * has just closed; a PUT of the same bytes is safe to send again, so it is, up to three times.
   */
  public void put(String bucket, String key, byte[] data) {
    for (int attempt = 1; ; attempt++) {
      try {
        client().putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(data));
        return;
      } catch (UncheckedIOException | SdkClientException e) {
        if (attempt == 3) {
          throw e;
        }
      }
    }
  }

  /** Stores {@code data} with user metadata ({@code x-amz-meta-*}, given without the prefix), as another S3 client may. */
  public void put(String bucket, String key, byte[] data, Map<String, String> metadata) {
    client().putObject(b -> b.bucket(bucket).key(key).metadata(metadata), RequestBody.fromBytes(data));
  }

  /**
   * Stores {@code data} by a multipart upload of {@code partSize} parts, as large files arrive from
   * other tools: its ETag is then the parts' ("...-N"), not the MD5 of the bytes.
   */
  public void putMultipart(String bucket, String key, byte[] data, int partSize) {
    String uploadId = client().createMultipartUpload(b -> b.bucket(bucket).key(key)).uploadId();
    List<CompletedPart> parts = new ArrayList<>();
    for (int at = 0, number = 1; at < data.length; at += partSize, number++) {
      int part = number;
      byte[] bytes = Arrays.copyOfRange(data, at, Math.min(data.length, at + partSize));
      String etag = client().uploadPart(b -> b.bucket(bucket).key(key).uploadId(uploadId).partNumber(part),
          RequestBody.fromBytes(bytes)).eTag();
      parts.add(CompletedPart.builder().partNumber(part).eTag(etag).build());
    }
    client().completeMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId)
        .multipartUpload(m -> m.parts(parts)));
  }

  public Optional<byte[]> find(String bucket, String key) {
    try {
      return Optional.of(client().getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray());
    } catch (NoSuchKeyException e) {
      return Optional.empty();
    }
  }

  /** The object's bytes; a missing object fails the test naming it. */
  public byte[] read(String bucket, String key) {
    return find(bucket, key).orElseThrow(
        () -> new AssertionError("no object s3://" + bucket + "/" + key));
  }

  /** User metadata ({@code x-amz-meta-*}) with the prefix stripped, as the SDK returns it. */
  public Map<String, String> metadata(String bucket, String key) {
    return client().headObject(b -> b.bucket(bucket).key(key)).metadata();
  }

  /** Every key under the prefix, across all listing pages, in S3's (lexicographic) order. */
  public List<String> keys(String bucket, String prefix) {
    return client().listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix))
        .contents().stream().map(S3Object::key).toList();
  }

  /** Keys of multipart uploads still open in the bucket: what an aborted transfer must not leave. */
  public List<String> multipartUploads(String bucket) {
    return client().listMultipartUploadsPaginator(b -> b.bucket(bucket))
        .uploads().stream().map(MultipartUpload::key).toList();
  }

  /** How many parts S3 holds of the multipart upload open for {@code key}; none open fails the test. */
  public int partsUploaded(String bucket, String key) {
    String uploadId = client().listMultipartUploads(b -> b.bucket(bucket).prefix(key)).uploads().stream()
        .filter(upload -> upload.key().equals(key)).findFirst()
        .orElseThrow(() -> new AssertionError("no multipart upload of s3://" + bucket + "/" + key)).uploadId();
    return client().listParts(b -> b.bucket(bucket).key(key).uploadId(uploadId)).parts().size();
  }

  /**
   * Takes S3 away; requests fail until {@link #start()}. Only for the S3Proxy this class runs: against
   * an external {@code S3_TEST_ENDPOINT} it throws, and an outage test fails rather than skip.
   */
  public void stop() {
    ownProcess("stop").stop();
  }

  /** Brings S3 back on the same endpoint with the same data and keys. */
  public void start() {
    ownProcess("start").start();
  }

  public static String sha256Hex(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  private void startOwnServer() {
    accessKey = "ak" + HexFormat.of().formatHex(randomBytes(8));
    secretKey = HexFormat.of().formatHex(randomBytes(20));
    if (kind == S3ServerChoice.Kind.MINIO) {
      run(new MinioContainer(FreePorts.freePort(), accessKey, secretKey));
      return;
    }
    String property = s3Mock ? S3MOCK_JAR_PROPERTY : JAR_PROPERTY;
    String jarPath = System.getProperty(property);
    if (jarPath == null || jarPath.isBlank() || !Files.isRegularFile(Path.of(jarPath))) {
      throw new IllegalStateException("S3TestServer needs the " + (s3Mock ? "S3Mock" : "S3Proxy") + " jar: system"
          + " property " + property + " is " + (jarPath == null ? "not set" : "'" + jarPath + "', no such file")
          + ". The build sets it (surefire + maven-dependency-plugin in the parent pom; run "
          + "through Maven)" + (s3Mock ? "." : ", or set S3_TEST_ENDPOINT to use a running server such as "
          + "./minio-start.sh."));
    }
    try {
      dataDir = Files.createTempDirectory(s3Mock ? "ferry-s3mock-" : "ferry-s3proxy-");
    } catch (IOException e) {
      throw new UncheckedIOException("no temp dir for the S3 server", e);
    }
    run(s3Mock
        ? S3ServerProcess.s3Mock(Path.of(jarPath), dataDir, FreePorts.freePort(), FreePorts.freePort(),
            List.of("arn:aws:kms:" + REGION + ":123456789012:key/" + KMS_KEY_ID))
        : S3ServerProcess.s3Proxy(Path.of(jarPath), dataDir, FreePorts.freePort(), accessKey, secretKey));
  }

  private void run(S3Server server) {
    process = server;
    endpoint = server.endpoint();
    // A crashed or killed test JVM must not leave the server running on the build machine.
    shutdownHook = new Thread(server::kill, "s3-server-shutdown");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
    server.start();
  }

  private S3Client newClient() {
    return S3Client.builder()
        .httpClientBuilder(UrlConnectionHttpClient.builder()
            .connectionTimeout(Duration.ofSeconds(5))
            .socketTimeout(Duration.ofSeconds(60)))
        .endpointOverride(endpoint)
        .region(Region.of(REGION))
        .forcePathStyle(true)
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
        .credentialsProvider(StaticCredentialsProvider.create(
            AwsBasicCredentials.create(accessKey, secretKey)))
        .build();
  }

  private S3Server ownProcess(String operation) {
    if (process == null) {
      throw new IllegalStateException("cannot " + operation + " S3: "
          + (endpoint == null ? "S3TestServer is not running"
              : "it is the external server at " + endpoint + " (S3_TEST_ENDPOINT); outage tests "
                  + "need the server this class starts itself"));
    }
    return process;
  }

  private static byte[] randomBytes(int n) {
    byte[] bytes = new byte[n];
    RANDOM.nextBytes(bytes);
    return bytes;
  }

  private static String envOr(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? fallback : value;
  }

  private static void deleteTree(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // Only a temp dir left behind; not worth failing a passing test class.
    }
  }
}
