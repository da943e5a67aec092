package dev.ferry.core.s3;

/**
 * The options an object is written with, by where it lands: one answer for every writer (a
 * client's upload, a rename's copy, a sync, a watched folder, a workflow's output), so that the
 * same object gets the same treatment whoever writes it.
 */
@FunctionalInterface
public interface WritePolicy {

  /** Nothing beyond the bucket's defaults, anywhere. */
  WritePolicy NONE = object -> WriteOptions.NONE;

  WriteOptions forObject(S3Location object);
}
