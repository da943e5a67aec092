package dev.ferry.core.vfs;

import dev.ferry.core.store.ListPage;
import dev.ferry.core.store.ObjectInfo;
import dev.ferry.core.store.ObjectStore;
import dev.ferry.core.store.S3Location;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;

/**
 * Moves objects inside S3: copy, then delete the source. A directory moves one listing page at a
 * time (copies in parallel up to a bound, then batch deletes), so memory does not grow with the
 * tree. Objects above 5 GiB, which CopyObject refuses, are copied in parts ({@link ObjectStore#copy}).
 */
final class TreeRename {

  private final ObjectStore store;
  private final int parallelism;

  TreeRename(ObjectStore store, int parallelism) {
    this.store = store;
    this.parallelism = parallelism;
  }

  void moveObject(S3Location from, S3Location to, long size) throws IOException {
    ObjectStore.await(store.copy(from, to, size, null, null));
    ObjectStore.await(store.delete(from));
  }

  void move(S3Location fromPrefix, S3Location toPrefix) throws IOException {
    String token = null;
    do {
      ListPage page = ObjectStore.await(store.listPage(fromPrefix, null, token, 1000));
      Semaphore slots = new Semaphore(parallelism);
      List<CompletableFuture<?>> copies = new ArrayList<>();
      List<String> moved = new ArrayList<>();
      for (ObjectInfo object : page.objects()) {
        S3Location source = new S3Location(fromPrefix.bucket(), object.key());
        S3Location target = new S3Location(toPrefix.bucket(), toPrefix.key() + object.key().substring(fromPrefix.key().length()));
        slots.acquireUninterruptibly();
        CompletableFuture<?> copy = store.copy(source, target, object.size(), null, null).whenComplete((ok, error) -> slots.release());
        copies.add(copy);
        moved.add(object.key());
      }
      for (CompletableFuture<?> copy : copies) {
        ObjectStore.await(copy);
      }
      deleteFilesThenMarkers(fromPrefix.bucket(), moved);
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
