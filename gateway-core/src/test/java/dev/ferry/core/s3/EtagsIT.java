package dev.ferry.core.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ferry.core.testing.S3TestServer;
import dev.ferry.core.testing.TestObjects;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The ETag Ferry records an upload's facts under before committing it is the one the S3 server
 * then gives the object: otherwise every upload would take the slower path of recording twice.
 */
class EtagsIT {

  @RegisterExtension
  static final S3TestServer s3 = new S3TestServer();

  private static final int PART = 5 * 1024 * 1024;

  @Test
  void ofSinglePut_isTheEtagOfAPut() throws Exception {
    byte[] data = TestObjects.randomBytes(123_457);
    String bucket = s3.createBucket();
    s3.put(bucket, "single.bin", data);

    String expected = Etags.ofSinglePut(MessageDigest.getInstance("MD5").digest(data));

    assertEquals(expected, Etags.normalize(s3.client().headObject(b -> b.bucket(bucket).key("single.bin")).eTag()));
  }

  @Test
  void ofMultipart_isTheEtagOfACompletedMultipartUpload() throws Exception {
    byte[] data = TestObjects.randomBytes(2 * PART + 777);
    String bucket = s3.createBucket();
    s3.putMultipart(bucket, "multi.bin", data, PART);
    List<String> partEtags = new ArrayList<>();
    for (int from = 0; from < data.length; from += PART) {
      byte[] part = Arrays.copyOfRange(data, from, Math.min(data.length, from + PART));
      partEtags.add("\"" + HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(part)) + "\"");
    }

    String expected = Etags.ofMultipart(partEtags).orElseThrow();

    assertEquals(expected, Etags.normalize(s3.client().headObject(b -> b.bucket(bucket).key("multi.bin")).eTag()));
    assertEquals(3, Integer.parseInt(expected.substring(expected.indexOf('-') + 1)));
  }

  @Test
  void ofMultipart_partEtagThatIsNoMd5_unknown() {
    assertEquals(java.util.Optional.empty(), Etags.ofMultipart(List.of("\"0123456789abcdef0123456789abcdef\"",
        "\"kms-opaque-etag\"")));
  }
}
