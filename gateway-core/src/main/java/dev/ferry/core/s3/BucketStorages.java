package dev.ferry.core.s3;

/**
 * Which S3 service each bucket is on: a storage of {@code storages:} named by a virtual folder on
 * it, else the {@code s3:} service. Asked on every request, so it answers from memory.
 */
@FunctionalInterface
public interface BucketStorages {

  /** Every bucket on the {@code s3:} service. */
  BucketStorages MAIN_ONLY = bucket -> null;

  /** The name of the storage {@code bucket} is on; null for the {@code s3:} service. */
  String storageOf(String bucket);
}
