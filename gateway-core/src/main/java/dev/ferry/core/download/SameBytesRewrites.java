package dev.ferry.core.download;

import dev.ferry.core.store.ObjectStore;
import dev.ferry.core.store.S3Location;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Ferry's own rewrites of an object that keep its bytes and change its ETag (the copy that adds the
 * SHA-256 metadata after a multipart upload). A download pinned to the old ETag follows such a
 * rewrite; any other change of the object fails the download.
 */
@FunctionalInterface
public interface SameBytesRewrites {

  SameBytesRewrites NONE = (object, etag) -> Optional.empty();

  /** The rewrite of version {@code etag} of {@code object}, completing with the new ETag. */
  Optional<CompletableFuture<String>> of(S3Location object, String etag);

  /**
   * The ETag that version {@code etag} of {@code object} has now: its rewrites followed one after
   * another, each waited for. {@code etag} itself when there is none, or when the next one failed.
   */
  default String latestEtag(S3Location object, String etag) throws IOException {
    for (int hop = 0; hop < 10; hop++) {
      Optional<CompletableFuture<String>> rewrite = of(object, etag);
      if (rewrite.isEmpty()) {
        return etag;
      }
      String rewritten;
      try {
        // A copy of the shared future: an interrupt while waiting must not cancel it for its other readers.
        rewritten = ObjectStore.await(rewrite.get().copy());
      } catch (InterruptedIOException e) {
        throw e;
      } catch (IOException rewriteFailed) {
        return etag;
      }
      if (rewritten.equals(etag)) {
        return etag;
      }
      etag = rewritten;
    }
    return etag;
  }
}
