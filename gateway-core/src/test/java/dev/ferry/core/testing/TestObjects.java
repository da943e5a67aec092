package dev.ferry.core.testing;

import dev.ferry.core.Gateway;
import dev.ferry.core.catalog.ObjectCatalog;
import dev.ferry.core.event.EventBus;
import dev.ferry.core.lock.PathLockTable;
import dev.ferry.core.object.ObjectOperations;
import dev.ferry.core.s3.ObjectFacts;
import dev.ferry.core.s3.ObjectInfo;
import dev.ferry.core.s3.S3Location;
import dev.ferry.core.state.StateStore;
import dev.ferry.core.store.ObjectStore;
import java.io.IOException;
import java.time.Clock;
import java.util.Random;

/** Objects for tests that talk to S3 through an {@link ObjectStore}. */
public final class TestObjects {

  private TestObjects() {}

  /** {@code data} as "file.bin" in a new bucket. */
  public static S3Location upload(S3TestServer s3, byte[] data) {
    String bucket = s3.createBucket();
    s3.put(bucket, "file.bin", data);
    return new S3Location(bucket, "file.bin");
  }

  /**
   * Object operations over {@code store} and the catalog in {@code state}, for tests of what reads
   * objects without a whole gateway (the job engine): their own lock table and events, and no upload
   * path, so {@code upload} is not for them.
   */
  public static ObjectOperations readingOperations(ObjectStore store, StateStore state) {
    return new ObjectOperations(store, state == null ? null : TestStateStores.catalog(state), new PathLockTable(),
        new EventBus(Clock.systemUTC()), null);
  }

  /** Object operations that only read objects, with no catalog either (ranged reads). */
  public static ObjectOperations readingOperations(ObjectStore store) {
    return readingOperations(store, null);
  }

  public static ObjectInfo head(ObjectStore store, S3Location file) throws IOException {
    return ObjectStore.await(store.head(file)).orElseThrow();
  }

  /**
   * What the gateway's catalog holds for the object now at {@code bucket}/{@code key} (the facts a
   * user sees through stat, listings and the admin {@code stat} command): matched against the
   * object's current ETag, so facts of an older version do not count.
   */
  public static ObjectFacts recordedFacts(Gateway gateway, String bucket, String key) throws IOException {
    return recordedFacts(gateway.catalog(), gateway.store(), new S3Location(bucket, key));
  }

  public static ObjectFacts recordedFacts(ObjectCatalog catalog, ObjectStore store, S3Location object)
      throws IOException {
    return catalog.factsOf(object, head(store, object));
  }

  /** Bytes that differ from one size to another, the same for one size on every run. */
  public static byte[] randomBytes(int size) {
    byte[] bytes = new byte[size];
    new Random(size).nextBytes(bytes);
    return bytes;
  }
}
