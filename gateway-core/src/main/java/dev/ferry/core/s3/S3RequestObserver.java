package dev.ferry.core.s3;

import java.time.Duration;

/**
 * Told of each S3 request the {@link dev.ferry.core.store.ObjectStore} made, when it ended: its operation as the S3 API
 * names it (PutObject, UploadPart, GetObject ...), how long it took, and its error (the HTTP status
 * S3 answered with, or the kind of failure when there was no answer; null when it succeeded). Called
 * on the SDK's threads, so it must be quick: metrics count here.
 */
@FunctionalInterface
public interface S3RequestObserver {

  void ended(String operation, Duration took, String error);
}
