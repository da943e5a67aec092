package dev.ferry.core.s3;

import java.util.Map;

/**
 * What an object is written with when no home or folder holding it says more: the {@code s3:}
 * section's options, or those of the storage ({@code storages:}) its bucket is on. A storage's
 * objects never take the {@code s3:} service's options: a KMS key or a storage class of one account
 * or provider means nothing to another.
 */
public record WriteDefaults(WriteOptions main, Map<String, WriteOptions> byStorage) {

  public WriteDefaults {
    byStorage = Map.copyOf(byStorage);
  }

  /** Only the {@code s3:} service's. */
  public static WriteDefaults of(WriteOptions main) {
    return new WriteDefaults(main, Map.of());
  }

  /** The defaults of {@code storage} (null: the {@code s3:} service). */
  public WriteOptions forStorage(String storage) {
    return storage == null ? main : byStorage.getOrDefault(storage, WriteOptions.NONE);
  }
}
