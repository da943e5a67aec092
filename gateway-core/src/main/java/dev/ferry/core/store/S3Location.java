package dev.ferry.core.store;

/** A bucket and a key (or key prefix) in S3. */
public record S3Location(String bucket, String key) {

  public S3Location resolve(String relative) {
    return new S3Location(bucket, key + relative);
  }

  @Override
  public String toString() {
    return "s3://" + bucket + "/" + key;
  }
}
