package dev.ferry.core.store;

import java.util.Optional;

/** A bucket and a key (or key prefix) in S3. */
public record S3Location(String bucket, String key) {

  /** An object named as {@code s3://bucket/key} or {@code bucket/key}; empty if either part is missing. */
  public static Optional<S3Location> parseObject(String text) {
    String path = text.startsWith("s3://") ? text.substring(5) : text;
    int slash = path.indexOf('/');
    if (slash <= 0 || slash == path.length() - 1) {
      return Optional.empty();
    }
    return Optional.of(new S3Location(path.substring(0, slash), path.substring(slash + 1)));
  }

  public S3Location resolve(String relative) {
    return new S3Location(bucket, key + relative);
  }

  @Override
  public String toString() {
    return "s3://" + bucket + "/" + key;
  }
}
