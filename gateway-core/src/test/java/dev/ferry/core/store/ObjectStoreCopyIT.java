package dev.ferry.core.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.s3.ObjectInfo;
import dev.ferry.core.s3.S3Location;
import dev.ferry.core.s3.StoreException;
import dev.ferry.core.testing.S3TestServer;
import dev.ferry.core.testing.TestObjects;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Server-side copies above the size one CopyObject takes (S3: 5 GiB), which go part by part. The
 * store here takes at most 12 MiB in one copy, so objects of some tens of MiB show it.
 */
class ObjectStoreCopyIT {

  @RegisterExtension
  static final S3TestServer s3 = new S3TestServer();

  private static final long SINGLE_COPY_LIMIT = 12L << 20;
  private static ObjectStore store;

  @BeforeAll
  static void openStore() {
    store = new ObjectStore(new ObjectStore.Settings(s3.endpoint(), s3.region(), s3.accessKey(), s3.secretKey(),
        true, 16, SINGLE_COPY_LIMIT));
  }

  @AfterAll
  static void closeStore() {
    store.close();
  }

  @Test
  void copyOntoItself_aboveTheSingleCopyLimit_keepsTheBytesAndSetsTheMetadata() throws IOException {
    byte[] data = TestObjects.randomBytes(30 * 1024 * 1024 + 12_345);
    S3Location file = TestObjects.upload(s3, data);
    ObjectInfo before = TestObjects.head(store, file);

    String etag = ObjectStore.await(store.copy(file, file, data.length, Map.of("mtime", "1546300800"), before.etag()));

    ObjectInfo after = TestObjects.head(store, file);
    assertEquals(etag, after.etag());
    assertNotEquals(before.etag(), after.etag(), "a copy in parts is a new multipart object");
    assertEquals(Map.of("mtime", "1546300800"), after.metadata());
    assertArrayEquals(data, s3.read(file.bucket(), file.key()));
    assertTrue(s3.multipartUploads(file.bucket()).isEmpty(), "the copy's multipart upload is completed");
  }

  @Test
  void copy_aboveTheSingleCopyLimitOfAnotherVersion_failsAndLeavesTheObjectAndNoUpload() throws IOException {
    byte[] data = TestObjects.randomBytes(20 * 1024 * 1024);
    S3Location file = TestObjects.upload(s3, data);
    ObjectInfo before = TestObjects.head(store, file);

    StoreException refused = assertThrows(StoreException.class, () -> ObjectStore.await(
        store.copy(file, file, data.length, Map.of("mtime", "1"), "\"0123456789abcdef0123456789abcdef\"")));

    assertEquals(StoreException.Kind.PRECONDITION_FAILED, refused.kind(), refused.getMessage());
    assertEquals(before.etag(), TestObjects.head(store, file).etag());
    assertEquals(Map.of(), TestObjects.head(store, file).metadata());
    assertTrue(s3.multipartUploads(file.bucket()).isEmpty(), "the failed copy's multipart upload is aborted");
  }

  @Test
  void copyToAnotherKey_aboveTheSingleCopyLimitWithoutMetadata_keepsTheSourceMetadata() throws IOException {
    byte[] data = TestObjects.randomBytes(13 * 1024 * 1024);
    S3Location file = TestObjects.upload(s3, data);
    ObjectStore.await(store.copy(file, file, data.length, Map.of("sha256", S3TestServer.sha256Hex(data)), null));
    S3Location moved = new S3Location(file.bucket(), "moved/file.bin");

    ObjectStore.await(store.copy(file, moved, data.length, null, null));

    assertArrayEquals(data, s3.read(moved.bucket(), moved.key()));
    assertEquals(Map.of("sha256", S3TestServer.sha256Hex(data)), TestObjects.head(store, moved).metadata());
  }
}
