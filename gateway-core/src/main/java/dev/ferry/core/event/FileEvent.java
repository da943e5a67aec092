package dev.ferry.core.event;

import dev.ferry.core.store.S3Location;
import java.time.Instant;

/**
 * A change to a file or directory in S3. {@code path} is the client's path ("/in/a.csv") when a
 * client made it, else null; {@code object} is where it is in S3. A rename has its old place in
 * {@code fromPath} and {@code fromObject}. {@code bytes} and {@code sha256} describe an upload
 * (the SHA-256 computed as the bytes passed through; null when S3 copied them); {@code detail} says
 * why an upload was not committed.
 */
public record FileEvent(String id, Instant time, Type type, Origin origin, String path, S3Location object,
    String fromPath, S3Location fromObject, long bytes, String sha256, String detail) implements FerryEvent {

  public enum Type {
    /** An upload committed: the object is in S3, whole. */
    UPLOADED,
    /** An upload that ended without its commit (a client gone mid-transfer): nothing was written. */
    PARTIAL_UPLOAD,
    DELETED,
    RENAMED,
    DIRECTORY_CREATED,
    DIRECTORY_DELETED
  }
}
