package dev.ferry.core.vfs;

import dev.ferry.core.store.ListPage;
import dev.ferry.core.store.ObjectInfo;
import dev.ferry.core.store.ObjectStore;
import dev.ferry.core.store.S3Location;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;

/**
 * Moves objects inside S3: copy, then delete the source. A directory moves one listing page at a
 * time (copies in parallel up to a bound, then one batch delete), so memory does not grow with the
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
      ObjectStore.await(store.deleteAll(fromPrefix.bucket(), moved));
      token = page.nextToken();
    } while (token != null);
  }
}
