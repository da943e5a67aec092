package dev.ferry.core.object;

import dev.ferry.core.catalog.ObjectCatalog;
import dev.ferry.core.event.EventBus;
import dev.ferry.core.event.FileEvent;
import dev.ferry.core.lock.PathBusyException;
import dev.ferry.core.lock.PathLock;
import dev.ferry.core.lock.PathLockTable;
import dev.ferry.core.memory.ChunkPool;
import dev.ferry.core.quota.QuotaPlaces;
import dev.ferry.core.quota.Quotas;
import dev.ferry.core.s3.Etags;
import dev.ferry.core.s3.ListPage;
import dev.ferry.core.s3.ObjectFacts;
import dev.ferry.core.s3.ObjectInfo;
import dev.ferry.core.s3.RangeBytes;
import dev.ferry.core.s3.S3Location;
import dev.ferry.core.s3.StoreException;
import dev.ferry.core.state.StateStoreException;
import dev.ferry.core.store.ObjectStore;
import dev.ferry.core.upload.CommitOrder;
import dev.ferry.core.upload.StreamingUpload;
import dev.ferry.core.upload.Uploads;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * What happens to an object outside a session's byte path, each change made one way: the path
 * lock, then the change's own check, the S3 requests, the catalog, and last the event, with the
 * change's origin. Sessions, syncs, watched folders, workflows and batches change objects through
 * here, so a rule for every change (a quota, an encryption setting, a scan) has one place to go.
 */
public final class ObjectOperations {

  /** The lock table notifies no one when a path is let go: a busy lock is tried again this often. */
  private static final long LOCK_RETRY_MILLIS = 50;
  /** Content-MD5 of no bytes, for directory markers. */
  private static final String EMPTY_MD5 = Base64.getEncoder().encodeToString(
      new byte[] {-44, 29, -116, -39, -113, 0, -78, 4, -23, -128, 9, -104, -20, -8, 66, 126});

  private final ObjectStore store;
  private final ObjectCatalog catalog;
  private final PathLockTable locks;
  private final EventBus events;
  private final Uploads uploads;
  private final CommitOrder commitOrder;
  private volatile QuotaCount quotaCount = QuotaCount.NONE;

  public ObjectOperations(ObjectStore store, ObjectCatalog catalog, PathLockTable locks, EventBus events,
      Uploads uploads) {
    this.store = store;
    this.catalog = catalog;
    this.locks = locks;
    this.events = events;
    this.uploads = uploads;
    this.commitOrder = new CommitOrder(catalog, store);
  }

  /**
   * From now on changes made here count against the quota of the home or folder holding each
   * object ({@code places}), as sessions' own changes do. Sessions count theirs themselves (as their
   * uploads stream), so theirs are not counted twice.
   */
  public void countQuotasIn(Quotas quotas, QuotaPlaces places) {
    this.quotaCount = new QuotaCount(quotas, places, store);
  }

  /**
   * Opens the upload of a new {@code target} through the upload path (hashed, committed whole or
   * not at all), under the target's path lock, which the upload holds until it ends. Its end is
   * published as a client's upload is, with the change's origin.
   */
  public StreamingUpload upload(S3Location target, ObjectChange change) throws IOException {
    PathLock lock = lock(target, change);
    try {
      change.check().check();
      QuotaCount.Before replaced = quotaCount.before(target, change.origin());
      StreamingUpload upload = uploads.open(target, lock, change.purpose(),
          change.origin().asWriterOf(change.path() != null ? change.path() : "/" + target.key()), 0);
      upload.whenEnded(outcome -> {
        if (outcome.committed()) {
          quotaCount.written(replaced, outcome.size());
        }
        events.uploadEnded(change.origin(), change.path(), target, outcome);
      });
      return upload;
    } catch (IOException | RuntimeException e) {
      lock.close();
      throw e;
    }
  }

  /** Copies {@code from} to {@code to} inside S3, with its SHA-256 and client time; fails when {@code from} is gone. */
  public void copy(S3Location from, S3Location to, ObjectChange change) throws IOException {
    try (PathLock a = lock(from, change); PathLock b = lock(to, change)) {
      change.check().check();
      ObjectInfo source = await(store.head(from)).orElseThrow(() -> gone(from, change));
      QuotaCount.Before replaced = quotaCount.before(to, change.origin());
      commitOrder.copyWithFacts(from, source, to);
      quotaCount.written(replaced, source.size());
    }
    events.copied(change.origin(), from, to);
  }

  /**
   * Moves {@code from} to {@code to}: a copy inside S3 with its facts, then the original deleted,
   * under both path locks. Returns false, changing nothing, for a {@linkplain ObjectChange#retried()
   * retried} change whose source is gone and whose target is there: an earlier attempt moved it.
   */
  public boolean move(S3Location from, S3Location to, ObjectChange change) throws IOException {
    return move(from, null, to, change);
  }

  /**
   * As {@link #move(S3Location, S3Location, ObjectChange)}, from the source as the caller saw it a
   * moment before (its HEAD; null: looked at under the locks). The copy is made only if the source
   * still has that ETag, so a source replaced in between is looked at again and moved as it is now,
   * never as it was; a session's rename saves the second HEAD that way.
   */
  public boolean move(S3Location from, ObjectInfo seen, S3Location to, ObjectChange change) throws IOException {
    try (PathLock a = lock(from, change); PathLock b = lock(to, change)) {
      change.check().check();
      Optional<ObjectInfo> source = seen != null ? Optional.of(seen) : await(store.head(from));
      if (source.isEmpty() && change.retry() && await(store.head(to)).isPresent()) {
        return false;
      }
      QuotaCount.Before replaced = quotaCount.before(to, change.origin());
      ObjectInfo moved = source.orElseThrow(() -> gone(from, change));
      try {
        commitOrder.copyWithFacts(from, moved, to);
      } catch (StoreException e) {
        if (seen == null || e.kind() != StoreException.Kind.PRECONDITION_FAILED) {
          throw e;
        }
        moved = await(store.head(from)).orElseThrow(() -> gone(from, change));
        commitOrder.copyWithFacts(from, moved, to);
      }
      await(store.delete(from));
      catalog.forget(from);
      quotaCount.written(replaced, moved.size());
      quotaCount.removed(from, moved.size(), change.origin());
    }
    events.rename(change.origin(), change.path(), from, change.targetPath(), to);
    return true;
  }

  /** Deletes {@code object} (whatever version is there; S3 answers a missing one the same) and its facts. */
  public void delete(S3Location object, ObjectChange change) throws IOException {
    try (PathLock lock = lock(object, change)) {
      change.check().check();
      QuotaCount.Before removed = quotaCount.before(object, change.origin());
      await(store.delete(object));
      catalog.forget(object);
      quotaCount.written(removed, -1);
    }
    events.file(FileEvent.Type.DELETED, change.origin(), change.path(), object);
  }

  /**
   * Creates the zero-byte marker of a directory ({@code "dir/"}). A mkdir of the same directory in
   * progress holds the marker's lock: waited for within the change's patience, after which the
   * change's check sees the directory it made.
   */
  public void createDirectory(S3Location marker, ObjectChange change) throws IOException {
    try (PathLock lock = lock(marker, change)) {
      change.check().check();
      await(store.put(marker, new ByteBuffer[0], EMPTY_MD5, change.origin().asObjectMetadata()));
    }
    events.file(FileEvent.Type.DIRECTORY_CREATED, change.origin(), change.path(), marker);
  }

  /** What {@link #deleteUnchanged} did with each object it was given. */
  public record Deleted(List<S3Location> deleted, List<S3Location> kept) {}

  /**
   * Deletes the objects of one bucket that are still the versions given (ETag, or null for any
   * version), a batch at a time: one DELETE request for all. An object that is busy, gone or another
   * version now is kept; the locks are held from before the HEADs until after the delete.
   */
  public Deleted deleteUnchanged(String bucket, Map<String, String> etagByKey, ObjectChange change)
      throws IOException {
    List<PathLock> held = new ArrayList<>();
    List<S3Location> kept = new ArrayList<>();
    List<S3Location> deleted = new ArrayList<>();
    try {
      Map<S3Location, CompletableFuture<Optional<ObjectInfo>>> heads = new LinkedHashMap<>();
      for (String key : etagByKey.keySet()) {
        S3Location object = new S3Location(bucket, key);
        try {
          held.add(lock(object, change));
          heads.put(object, store.head(object));
        } catch (ObjectBusyException busy) {
          kept.add(object);
        }
      }
      for (Map.Entry<S3Location, CompletableFuture<Optional<ObjectInfo>>> head : heads.entrySet()) {
        Optional<ObjectInfo> now = await(head.getValue());
        String wanted = etagByKey.get(head.getKey().key());
        if (now.isPresent() && (wanted == null || Etags.normalize(now.get().etag()).equals(Etags.normalize(wanted)))) {
          deleted.add(head.getKey());
        } else if (now.isPresent()) {
          kept.add(head.getKey());
        }
      }
      if (!deleted.isEmpty()) {
        change.check().check();
        List<String> keys = deleted.stream().map(S3Location::key).toList();
        await(store.deleteAll(bucket, keys));
        catalog.forgetAll(bucket, keys);
        for (S3Location object : deleted) {
          quotaCount.removed(object, await(heads.get(object)).map(ObjectInfo::size).orElse(0L), change.origin());
        }
      }
    } finally {
      held.forEach(PathLock::close);
    }
    for (S3Location object : deleted) {
      events.file(FileEvent.Type.DELETED, change.origin(), null, object);
    }
    return new Deleted(deleted, kept);
  }

  /** The path lock on {@code object}, waited for up to the change's patience; busy after that. */
  private PathLock lock(S3Location object, ObjectChange change) throws IOException {
    long deadline = System.nanoTime() + change.patience().toNanos();
    while (true) {
      try {
        return locks.lockKey(object, change.purpose());
      } catch (PathBusyException e) {
        if (System.nanoTime() >= deadline) {
          throw new ObjectBusyException(object, change.purpose(), e);
        }
      }
      try {
        Thread.sleep(LOCK_RETRY_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException(change.purpose() + ": interrupted while waiting for the path lock on "
            + object);
      }
    }
  }

  private static NoSuchFileException gone(S3Location object, ObjectChange change) {
    return new NoSuchFileException(change.path() != null ? change.path() : object.toString(), null,
        change.purpose() + ": no such file (deleted or renamed meanwhile)");
  }

  /** Waits for an S3 request: its {@code IOException} (a {@code StoreException} from S3) as it is. */
  public static <T> T await(CompletableFuture<T> future) throws IOException {
    return ObjectStore.await(future);
  }

  // What jobs and admin commands read of objects: the store's and the catalog's answers as they are,
  // with no lock and no event, so that nothing outside core needs the S3 client or the catalog.

  /** The object's HEAD; empty when there is none. */
  public CompletableFuture<Optional<ObjectInfo>> head(S3Location object) {
    return store.head(object);
  }

  /** One page of the objects and common prefixes under {@code prefix}, split at {@code delimiter} (null: none). */
  public CompletableFuture<ListPage> listPage(S3Location prefix, String delimiter, String token, int maxKeys) {
    return store.listPage(prefix, delimiter, token, maxKeys);
  }

  /** The object from {@code offset} to its end, streamed in one GET. */
  public CompletableFuture<InputStream> openFrom(S3Location object, long offset) {
    return store.openFrom(object, offset);
  }

  /** {@code length} bytes from {@code offset}, of the version {@code ifMatch} (an ETag; null: any). */
  public CompletableFuture<RangeBytes> readRange(S3Location object, long offset, int length, String ifMatch) {
    return store.readRange(object, offset, length, ifMatch);
  }

  /**
   * The same into {@code chunks}' chunks, for a reader that {@link RangeBytes#release}s each range once
   * it has read it.
   */
  public CompletableFuture<RangeBytes> readRange(S3Location object, long offset, int length, String ifMatch,
      ChunkPool chunks) {
    return store.readRange(object, offset, length, ifMatch, chunks);
  }

  /** A GET URL that whoever holds it may use until {@code validity} ends (a remote host fetching the object). */
  public URI presignGet(S3Location object, Duration validity) {
    return store.presignGet(object, validity);
  }

  public CompletableFuture<Boolean> bucketExists(String bucket) {
    return store.bucketExists(bucket);
  }

  /** Whether {@code bucket} is there, created first when missing and {@code create}. Blocks. */
  public boolean ensureBucket(String bucket, boolean create) throws IOException {
    return store.ensureBucket(bucket, create);
  }

  /** The facts (SHA-256, client time) recorded for version {@code etag} of {@code object}, if any. */
  public Optional<ObjectFacts> recordedFacts(S3Location object, String etag) throws StateStoreException {
    return catalog.find(object, etag);
  }

  /** The facts of an object from its HEAD: the catalog's for its ETag, else what its metadata carries. */
  public ObjectFacts factsOf(S3Location object, ObjectInfo head) throws StateStoreException {
    return catalog.factsOf(object, head);
  }

  /** The recorded facts of the files of one listing page, by key, each for the ETag the page gives it. */
  public Map<String, ObjectFacts> recordedFacts(String bucket, List<ObjectInfo> listed) throws StateStoreException {
    return catalog.findListed(bucket, listed);
  }

  /**
   * Holds the path lock on {@code object} while a job reads it (a batch archiving it), so that no
   * client changes it meanwhile; busy after the change's patience. Nothing changes, so no event.
   */
  public ObjectHold hold(S3Location object, ObjectChange change) throws IOException {
    return new ObjectHold(lock(object, change));
  }

  /**
   * An empty object a job keeps for its own bookkeeping (a batch's "not yet indexed" marker), written
   * and deleted as it is: no lock, no catalog, no event, since it is no file of any client's.
   */
  public void putMarker(S3Location marker) throws IOException {
    await(store.put(marker, new ByteBuffer[0], null, Map.of()));
  }

  /** Deletes a marker {@link #putMarker} wrote. */
  public void deleteMarker(S3Location marker) throws IOException {
    await(store.delete(marker));
  }
}
