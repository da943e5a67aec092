package dev.ferry.core.upload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.s3.Etags;
import dev.ferry.core.s3.ObjectFacts;
import dev.ferry.core.s3.S3Location;
import dev.ferry.core.state.StateStore;
import dev.ferry.core.store.ObjectStore;
import dev.ferry.core.testing.S3TestServer;
import dev.ferry.core.testing.TestObjects;
import dev.ferry.core.testing.TestStateStores;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A failure between an upload's two writes, the catalog's and S3's, in each place it can happen,
 * with a real S3 server and a real state store: no client is told "OK" for an object whose facts
 * are missing, and no facts count for an object that is not there.
 */
class CommitOrderIT {

  @RegisterExtension
  static final S3TestServer s3 = new S3TestServer();

  private static final ObjectFacts FACTS = new ObjectFacts("ab".repeat(32), Instant.parse("2020-02-02T02:02:02Z"));

  private static ObjectStore store;
  private static String bucket;

  @TempDir
  Path directory;

  @BeforeAll
  static void openStore() {
    store = new ObjectStore(new ObjectStore.Settings(s3.endpoint(), s3.region(), s3.accessKey(), s3.secretKey(),
        true, 16));
    bucket = s3.createBucket();
  }

  @AfterAll
  static void closeStore() {
    store.close();
  }

  @Test
  void commit_bothSucceed_factsMatchTheObject() throws IOException {
    byte[] data = TestObjects.randomBytes(1000);
    S3Location target = new S3Location(bucket, "ok.bin");
    try (StateStore state = TestStateStores.embedded(directory)) {
      new CommitOrder(TestStateStores.catalog(state), store).commit(target, expectedEtag(data), FACTS, () -> put(target, data));

      assertEquals(FACTS, TestObjects.recordedFacts(TestStateStores.catalog(state), store, target));
    }
  }

  @Test
  void commit_catalogDown_nothingWrittenToS3() throws IOException {
    byte[] data = TestObjects.randomBytes(1001);
    S3Location target = new S3Location(bucket, "catalog-down.bin");
    StateStore state = TestStateStores.embedded(directory);
    state.close();

    IOException failed = assertThrows(IOException.class, () -> new CommitOrder(TestStateStores.catalog(state), store)
        .commit(target, expectedEtag(data), FACTS, () -> put(target, data)));

    assertTrue(failed.getMessage().contains("state store"), failed.getMessage());
    assertTrue(s3.find(bucket, target.key()).isEmpty(), "an object was written although its facts were not");
  }

  @Test
  void commit_s3RefusesAfterTheFactsWent_theirEntryMatchesNoObject() throws IOException {
    byte[] data = TestObjects.randomBytes(1002);
    S3Location target = new S3Location(bucket, "s3-refuses.bin");
    try (StateStore state = TestStateStores.embedded(directory)) {
      // A Content-MD5 that is not the body's: S3 refuses the PUT (BadDigest), after the catalog wrote.
      assertThrows(IOException.class, () -> new CommitOrder(TestStateStores.catalog(state), store).commit(target,
          expectedEtag(data), FACTS, () -> ObjectStore.await(store.put(target, new ByteBuffer[] {ByteBuffer.wrap(data)},
              Base64.getEncoder().encodeToString(new byte[16]), Map.of()))));
      assertTrue(s3.find(bucket, target.key()).isEmpty());

      // Another S3 client then writes other bytes there: the facts of the refused upload are not its.
      s3.put(bucket, target.key(), TestObjects.randomBytes(555));
      assertEquals(ObjectFacts.NONE, TestObjects.recordedFacts(TestStateStores.catalog(state), store, target));
    }
  }

  @Test
  void commit_unexpectedEtagAndTheCatalogFailsAfterTheCommit_objectRemovedAndFailureReported() throws IOException {
    byte[] data = TestObjects.randomBytes(1003);
    S3Location target = new S3Location(bucket, "unrecorded.bin");
    StateStore state = TestStateStores.embedded(directory);
    // An ETag S3 will not give (as with KMS encryption): the facts must be recorded after the
    // commit, and the store goes away just then.
    IOException failed = assertThrows(IOException.class, () -> new CommitOrder(TestStateStores.catalog(state), store)
        .commit(target, "0".repeat(32), FACTS, () -> {
          String etag = put(target, data);
          state.close();
          return etag;
        }));

    assertTrue(failed.getMessage().contains("could not be recorded, so it was removed"), failed.getMessage());
    assertFalse(s3.find(bucket, target.key()).isPresent(), "an object without its facts was left");
  }

  @Test
  void commit_copyWhoseEtagIsUnknownBeforehand_factsRecordedForTheCopy() throws IOException {
    byte[] data = TestObjects.randomBytes(1004);
    S3Location source = new S3Location(bucket, "copy-source.bin");
    S3Location target = new S3Location(bucket, "copy-target.bin");
    s3.put(bucket, source.key(), data);
    try (StateStore state = TestStateStores.embedded(directory)) {
      new CommitOrder(TestStateStores.catalog(state), store).commit(target, null, FACTS,
          () -> ObjectStore.await(store.copy(source, target, data.length, null, null)));

      assertEquals(FACTS, TestObjects.recordedFacts(TestStateStores.catalog(state), store, target));
      assertNull(TestObjects.recordedFacts(TestStateStores.catalog(state), store, source).sha256(), "the source has no facts");
    }
  }

  private static String put(S3Location target, byte[] data) throws IOException {
    return ObjectStore.await(store.put(target, new ByteBuffer[] {ByteBuffer.wrap(data)},
        Base64.getEncoder().encodeToString(md5(data)), Map.of()));
  }

  private static String expectedEtag(byte[] data) {
    return Etags.ofSinglePut(md5(data));
  }

  private static byte[] md5(byte[] data) {
    try {
      return MessageDigest.getInstance("MD5").digest(data);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
