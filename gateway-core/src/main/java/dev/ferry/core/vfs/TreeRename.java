package dev.ferry.core.vfs;

import dev.ferry.core.catalog.ObjectCatalog;
import dev.ferry.core.s3.ListPage;
import dev.ferry.core.s3.ObjectFacts;
import dev.ferry.core.s3.ObjectInfo;
import dev.ferry.core.s3.S3Location;
import dev.ferry.core.store.ObjectStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;

/**
 * Moves a directory's objects inside S3 with their facts in the {@link ObjectCatalog} (one object
 * moves through {@link dev.ferry.core.object.ObjectOperations#move}): copy, record the facts for
 * the copies (their ETags are S3's to choose), then delete the sources and their entries, one
 * listing page at a time (copies in parallel up to a bound, the page's facts in one
 * transaction, then batch deletes), so memory does not grow with the tree. Objects above 5 GiB,
 * which CopyObject refuses, are copied in parts ({@link ObjectStore#copy}).
 */
final class TreeRename {

  private final ObjectStore store;
  private final ObjectCatalog catalog;
  private final int parallelism;

  TreeRename(ObjectStore store, ObjectCatalog catalog, int parallelism) {
    this.store = store;
    this.catalog = catalog;
    this.parallelism = parallelism;
  }

  /**
   * The longest key under {@code prefix}, without the prefix and any trailing slash, in UTF-8
   * bytes (0 when there is none): what a move adds to the target's length.
   */
  int longestRelativeKeyBytes(S3Location prefix) throws IOException {
    int longest = 0;
    String token = null;
    do {
      ListPage page = ObjectStore.await(store.listPage(prefix, null, token, 1000));
      for (ObjectInfo object : page.objects()) {
        String relative = object.key().substring(prefix.key().length());
        if (relative.endsWith("/")) {
          relative = relative.substring(0, relative.length() - 1);
        }
        longest = Math.max(longest, relative.getBytes(StandardCharsets.UTF_8).length);
      }
      token = page.nextToken();
    } while (token != null);
    return longest;
  }

  void move(S3Location fromPrefix, S3Location toPrefix) throws IOException {
    String token = null;
    do {
      ListPage page = ObjectStore.await(store.listPage(fromPrefix, null, token, 1000));
      Map<String, ObjectFacts> known = catalog.findListed(fromPrefix.bucket(), page.objects());
      Semaphore slots = new Semaphore(parallelism);
      Map<String, CompletableFuture<String>> copies = new LinkedHashMap<>();
      for (ObjectInfo object : page.objects()) {
        S3Location source = new S3Location(fromPrefix.bucket(), object.key());
        String targetKey = toPrefix.key() + object.key().substring(fromPrefix.key().length());
        slots.acquireUninterruptibly();
        copies.put(targetKey, store.copy(source, new S3Location(toPrefix.bucket(), targetKey), object.size(), null,
            null).whenComplete((ok, error) -> slots.release()));
      }
      List<ObjectCatalog.Entry> facts = new ArrayList<>();
      List<String> moved = new ArrayList<>();
      for (ObjectInfo object : page.objects()) {
        String targetKey = toPrefix.key() + object.key().substring(fromPrefix.key().length());
        String copied = ObjectStore.await(copies.get(targetKey));
        ObjectFacts carried = known.get(object.key());
        if (carried != null) {
          facts.add(new ObjectCatalog.Entry(targetKey, copied, carried));
        }
        moved.add(object.key());
      }
      catalog.recordAll(toPrefix.bucket(), facts);
      deleteFilesThenMarkers(fromPrefix.bucket(), moved);
      catalog.forgetAll(fromPrefix.bucket(), moved);
      token = page.nextToken();
    } while (token != null);
  }

  /**
   * Deletes the files in one batch, then the directory markers ("name/") one depth at a time,
   * deepest first. Some S3-compatible stores keep a real directory for every prefix and delete a
   * batch's keys in parallel (S3Proxy's filesystem store, Ferry's embedded default, does both): a
   * marker deleted beside its directory's last files could leave that directory behind, empty, and
   * the parent went on listing it under the old name.
   */
  private void deleteFilesThenMarkers(String bucket, List<String> keys) throws IOException {
    List<String> files = new ArrayList<>();
    SortedMap<Long, List<String>> markersByDepth = new TreeMap<>(Comparator.reverseOrder());
    for (String key : keys) {
      if (key.endsWith("/")) {
        markersByDepth.computeIfAbsent(key.chars().filter(c -> c == '/').count(), depth -> new ArrayList<>()).add(key);
      } else {
        files.add(key);
      }
    }
    ObjectStore.await(store.deleteAll(bucket, files));
    for (List<String> markers : markersByDepth.values()) {
      ObjectStore.await(store.deleteAll(bucket, markers));
    }
  }
}
