package dev.ferry.core.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.s3.S3Location;
import dev.ferry.core.s3.StoreException;
import dev.ferry.core.testing.S3TestServer;
import dev.ferry.core.testing.TestObjects;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One store over two S3 services: the {@code s3:} one, and a second S3Proxy with keys of its own
 * holding one bucket (a storage). Requests about that bucket go to the second service, presigned
 * URLs included; a copy between the two is read and written by Ferry (one PUT, or parts of 8-16
 * MiB), keeps the bytes and the metadata, and a copy of a changed source writes nothing.
 */
class ObjectStoreStoragesIT {

  @RegisterExtension
  static final S3TestServer s3 = new S3TestServer();

  @RegisterExtension
  static final S3TestServer other = S3TestServer.ownS3Proxy();

  private static ObjectStore store;
  private static String otherBucket;

  @BeforeAll
  static void openStore() {
    otherBucket = other.createBucket();
    ObjectStore.Settings otherSettings = new ObjectStore.Settings(other.endpoint(), other.region(), other.accessKey(),
        other.secretKey(), true, 8);
    store = new ObjectStore(new ObjectStore.Settings(s3.endpoint(), s3.region(), s3.accessKey(), s3.secretKey(),
        true, 16), List.of(new ObjectStore.Storage("other", otherSettings)));
    store.routeBy(bucket -> bucket.equals(otherBucket) ? "other" : null);
  }

  @AfterAll
  static void closeStore() {
    store.close();
  }

  @Test
  void copies_toTheOtherService_keepBytesAndMetadata_smallEmptyAndInParts() throws IOException {
    for (int size : new int[] {100_000, 0, 21 * 1024 * 1024 + 5}) {
      byte[] data = TestObjects.randomBytes(size);
      S3Location source = TestObjects.upload(s3, data);
      ObjectStore.await(store.copy(source, source, size, Map.of("sha256", S3TestServer.sha256Hex(data)), null));
      S3Location target = new S3Location(otherBucket, "copied/" + size + ".bin");

      ObjectStore.await(store.copy(source, target, size, null, null));

      assertArrayEquals(data, other.read(otherBucket, target.key()), size + " bytes");
      assertEquals(S3TestServer.sha256Hex(data), other.metadata(otherBucket, target.key()).get("sha256"));
      assertEquals(S3TestServer.sha256Hex(data), TestObjects.head(store, target).metadata().get("sha256"),
          "a HEAD through the store goes to the other service");
    }
    assertTrue(other.multipartUploads(otherBucket).isEmpty(), "the copy in parts is completed");
  }

  @Test
  void copy_ofAChangedSource_toTheOtherService_failsAndWritesNothing() throws IOException {
    for (int size : new int[] {100_000, 21 * 1024 * 1024}) {
      S3Location source = TestObjects.upload(s3, TestObjects.randomBytes(size));
      S3Location target = new S3Location(otherBucket, "stale/" + size + ".bin");

      StoreException refused = assertThrows(StoreException.class, () -> ObjectStore.await(
          store.copy(source, target, size, null, "\"0123456789abcdef0123456789abcdef\"")));

      assertEquals(StoreException.Kind.PRECONDITION_FAILED, refused.kind(), refused.getMessage());
      assertTrue(other.find(otherBucket, target.key()).isEmpty(), size + " bytes: no object");
    }
    assertTrue(other.multipartUploads(otherBucket).isEmpty(), "the failed copy's multipart upload is aborted");
  }

  @Test
  void manyCopiesAtOnce_toTheOtherService_moreThanTheRelayPermits_allLandByteExact() throws Exception {
    List<byte[]> files = new java.util.ArrayList<>();
    List<java.util.concurrent.CompletableFuture<String>> copies = new java.util.ArrayList<>();
    for (int i = 0; i < ObjectStore.RELAY_PARTS_AT_ONCE * 2 + 1; i++) {
      byte[] data = TestObjects.randomBytes(i % 2 == 0 ? 17 * 1024 * 1024 : 300_000);
      S3Location source = TestObjects.upload(s3, data);
      files.add(data);
      copies.add(store.copy(source, new S3Location(otherBucket, "many/" + i + ".bin"), data.length, null, null));
    }

    for (int i = 0; i < copies.size(); i++) {
      ObjectStore.await(copies.get(i));
      assertArrayEquals(files.get(i), other.read(otherBucket, "many/" + i + ".bin"), "copy " + i);
    }
  }

  @Test
  void copy_fromTheOtherServiceBack_andAPresignedUrl_useTheOtherServicesKeys() throws Exception {
    byte[] data = TestObjects.randomBytes(300_000);
    other.put(otherBucket, "there.bin", data);
    S3Location there = new S3Location(otherBucket, "there.bin");
    S3Location back = new S3Location(s3.createBucket(), "back.bin");

    ObjectStore.await(store.copy(there, back, data.length, null, null));
    URI url = store.presignGet(there, Duration.ofMinutes(5));

    assertArrayEquals(data, s3.read(back.bucket(), back.key()));
    assertEquals(other.endpoint().getPort(), url.getPort(), url.toString());
    HttpResponse<byte[]> fetched = HttpClient.newHttpClient().send(HttpRequest.newBuilder(url).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, fetched.statusCode());
    assertArrayEquals(data, fetched.body());
  }
}
