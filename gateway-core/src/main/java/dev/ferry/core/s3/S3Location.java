package dev.ferry.core.s3;

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

  /**
   * A folder named as {@code s3://bucket/prefix/}: the bucket and the prefix, which ends in "/" (or
   * is "" for the whole bucket). A value that is not one throws, naming what is wrong with it.
   */
  public static S3Location parsePrefix(String text) {
    if (!text.startsWith("s3://")) {
      throw new IllegalArgumentException("must look like s3://bucket/prefix/, got '" + text + "'");
    }
    String rest = text.substring(5);
    int slash = rest.indexOf('/');
    String bucket = slash < 0 ? rest : rest.substring(0, slash);
    String prefix = slash < 0 ? "" : rest.substring(slash + 1);
    if (!bucket.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) {
      throw new IllegalArgumentException("'" + bucket + "' is not a valid S3 bucket name");
    }
    if (prefix.contains("//") || prefix.startsWith("/") || prefix.contains("..")) {
      throw new IllegalArgumentException("prefix '" + prefix + "' must not contain '//' or '..'");
    }
    if (!prefix.isEmpty() && !prefix.endsWith("/")) {
      prefix = prefix + "/";
    }
    return new S3Location(bucket, prefix);
  }

  public S3Location resolve(String relative) {
    return new S3Location(bucket, key + relative);
  }

  @Override
  public String toString() {
    return "s3://" + bucket + "/" + key;
  }
}
