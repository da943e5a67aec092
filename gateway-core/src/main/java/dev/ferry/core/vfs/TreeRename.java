package dev.ferry.core.vfs;

import dev.ferry.core.store.ListPage;
import dev.ferry.core.store.ObjectInfo;
import dev.ferry.core.store.ObjectStore;
import dev.ferry.core.store.S3Location;
import dev.ferry.core.upload.PartSizePolicy;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;

/**
 * Moves objects inside S3: copy, then delete the source. A directory moves one listing page at a
 * time (copies in parallel up to a bound, then one batch delete), so memory does not grow with the
 * tree. Objects above 5 GiB, which CopyObject refuses, are copied as multipart part-copies.
 */
final class TreeRename {

  private final ObjectStore store;
  private final int parallelism;

  TreeRename(ObjectStore store, int parallelism) {
    this.store = store;
    this.parallelism = parallelism;
  }

  void moveObject(S3Location from, S3Location to, long size) throws IOException {
    ObjectStore.await(copy(from, to, size));
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
        CompletableFuture<?> copy = copy(source, target, object.size()).whenComplete((ok, error) -> slots.release());
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

  private CompletableFuture<?> copy(S3Location from, S3Location to, long size) {
    if (size <= PartSizePolicy.MAX_PART_SIZE) {
      return store.copy(from, to, null, null);
    }
    return store.head(from).thenCompose(info -> store.createMultipartUpload(to,
            info.map(i -> i.metadata()).orElse(java.util.Map.of()))
        .thenCompose(uploadId -> copyParts(from, to, size, uploadId)
            .thenCompose(etags -> store.completeMultipartUpload(to, uploadId, etags))
            .exceptionallyCompose(e -> store.abortMultipartUpload(to, uploadId)
                .handle((v, ignored) -> { throw new java.util.concurrent.CompletionException(e); }))));
  }

  private CompletableFuture<List<String>> copyParts(S3Location from, S3Location to, long size, String uploadId) {
    long partSize = PartSizePolicy.MAX_PART_SIZE / 2;
    List<CompletableFuture<String>> parts = new ArrayList<>();
    int number = 1;
    for (long first = 0; first < size; first += partSize) {
      parts.add(store.uploadPartCopy(from, first, Math.min(first + partSize, size) - 1, to, uploadId, number++));
    }
    return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new))
        .thenApply(v -> parts.stream().map(CompletableFuture::join).toList());
  }
}
