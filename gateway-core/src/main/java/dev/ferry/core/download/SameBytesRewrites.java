package dev.ferry.core.download;

import dev.ferry.core.store.S3Location;
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
}
