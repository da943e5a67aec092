package dev.ferry.core.event;

import dev.ferry.core.s3.S3Location;
import java.time.Duration;
import java.time.Instant;

/**
 * What happened to a file or directory: a change in S3, or a client's read or open of it. {@code
 * path} is the client's path ("/in/a.csv") when a client did it, else null; {@code object} is where
 * it is in S3. A rename has its old place in {@code fromPath} and {@code fromObject}. {@code bytes}
 * and {@code sha256} describe an upload (the SHA-256 computed as the bytes passed through; null
 * when S3 copied them) or the bytes a read sent; {@code duration} is how long a transfer took from
 * its open (null for the rest); {@code detail} says why an upload was not committed, what an open
 * was for (READ, WRITE), why an operation was refused.
 */
public record FileEvent(String id, Instant time, Type type, Origin origin, String path, S3Location object,
    String fromPath, S3Location fromObject, long bytes, String sha256, String detail, Duration duration)
    implements FerryEvent {

  public enum Type {
    /** A client opened a file; {@code detail} is READ or WRITE. */
    OPENED,
    /** A client's read of a file ended (closed); {@code bytes} were sent. */
    DOWNLOADED,
    /** A client set a file's time. */
    TIMES_SET,
    /** A client's operation was refused (permission, busy path, bad path); {@code detail} says which and why. */
    REFUSED,
    /** A client's operation failed in storage (S3, or the state store's locks); {@code detail} says which and why. */
    FAILED,
    /** An upload committed: the object is in S3, whole. */
    UPLOADED,
    /** An upload that ended without its commit (a client gone mid-transfer): nothing was written. */
    PARTIAL_UPLOAD,
    /** An upload refused for its content (scan: malware found, or unscanned and refused): nothing was written; {@code detail} says why. */
    REJECTED,
    DELETED,
    RENAMED,
    /** A copy made inside S3 (a workflow's copy step): {@code fromObject} to {@code object}. */
    COPIED,
    DIRECTORY_CREATED,
    DIRECTORY_DELETED
  }
}
