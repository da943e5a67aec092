package dev.ferry.core.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.sync.RequestBody;

class S3TestServerIT {

  @RegisterExtension
  static final S3TestServer s3 = new S3TestServer();

  @Test
  void choice_externalEndpointFirst_thenMinioWhereDockerAnswers_elseS3Proxy() {
    assertEquals(S3ServerChoice.Kind.EXTERNAL, S3ServerChoice.choose("http://127.0.0.1:9000", () -> true).kind());
    assertEquals(S3ServerChoice.Kind.MINIO, S3ServerChoice.choose(null, () -> true).kind());
    assertEquals(S3ServerChoice.Kind.MINIO, S3ServerChoice.choose(" ", () -> true).kind());
    S3ServerChoice fallback = S3ServerChoice.choose(null, () -> false);
    assertEquals(S3ServerChoice.Kind.S3PROXY, fallback.kind());
    assertTrue(fallback.why().contains("no Docker engine"), fallback.why());
  }

  @Test
  void theServerRunning_isTheOneChosenForThisMachine() {
    S3ServerChoice choice = S3ServerChoice.forThisMachine();
    assertEquals(choice.kind(), s3.kind(), choice.why());
    assertEquals(choice.kind() == S3ServerChoice.Kind.MINIO, MinioContainer.dockerAnswers()
        && System.getenv("S3_TEST_ENDPOINT") == null, choice.why());
  }

  @Test
  void put_thenRead_returnsBytesMetadataAndKeys() {
    String bucket = s3.createBucket();
    byte[] data = "hello ferry".getBytes(StandardCharsets.UTF_8);
    s3.client().putObject(b -> b.bucket(bucket).key("dir/a.txt").metadata(Map.of("sha256",
        S3TestServer.sha256Hex(data))), RequestBody.fromBytes(data));
    s3.put(bucket, "dir/b.txt", new byte[0]);
    s3.put(bucket, "other.txt", data);

    assertArrayEquals(data, s3.read(bucket, "dir/a.txt"));
    assertEquals(Map.of("sha256", S3TestServer.sha256Hex(data)), s3.metadata(bucket, "dir/a.txt"));
    assertEquals(List.of("dir/a.txt", "dir/b.txt"), s3.keys(bucket, "dir/"));
    assertEquals(3, s3.keys(bucket, "").size());
  }

  @Test
  void read_missingKey_failsNamingIt() {
    String bucket = s3.createBucket();

    assertTrue(s3.find(bucket, "nope").isEmpty());
    AssertionError error = assertThrows(AssertionError.class, () -> s3.read(bucket, "nope"));
    assertTrue(error.getMessage().contains("s3://" + bucket + "/nope"), error.getMessage());
  }

  @Test
  void createBucket_twice_givesDistinctEmptyBuckets() {
    String first = s3.createBucket();
    String second = s3.createBucket();

    assertNotEquals(first, second);
    assertEquals(List.of(), s3.keys(second, ""));
  }

  @Test
  void multipartUploads_openUpload_isListedUntilAborted() {
    String bucket = s3.createBucket();
    String uploadId = s3.client().createMultipartUpload(b -> b.bucket(bucket).key("big.bin"))
        .uploadId();

    assertEquals(List.of("big.bin"), s3.multipartUploads(bucket));
    s3.client().abortMultipartUpload(b -> b.bucket(bucket).key("big.bin").uploadId(uploadId));
    assertEquals(List.of(), s3.multipartUploads(bucket));
  }

  @Test
  void stop_thenStart_failsRequestsThenServesSameData() {
    String bucket = s3.createBucket();
    byte[] data = "survives a restart".getBytes(StandardCharsets.UTF_8);
    s3.put(bucket, "kept.txt", data);

    s3.stop();
    try {
      assertThrows(SdkClientException.class, () -> s3.read(bucket, "kept.txt"));
    } finally {
      s3.start();
    }

    assertArrayEquals(data, s3.read(bucket, "kept.txt"));
  }
}
