package dev.ferry.jobs.batch;

import com.fasterxml.jackson.annotation.JsonTypeName;
import dev.ferry.core.s3.S3Location;
import dev.ferry.jobs.engine.JobSpec;

/**
 * One run of a batch, as its job stores it: the folder, the archive size limit and the manifest
 * prefix copied from the batch's definition when the run was queued, so that a run continued
 * after a restart finishes what it started. Prefixes are empty or end in '/'.
 */
@JsonTypeName("batch")
public record BatchSpec(String name, String bucket, String prefix, long maxBatchSize, String manifestBucket,
    String manifestPrefix) implements JobSpec {

  S3Location folder() {
    return new S3Location(bucket, prefix);
  }

  /** Where this batch's manifests go: {@code <manifest prefix><batch name>/}. */
  S3Location manifests() {
    return new S3Location(manifestBucket, manifestPrefix + name + "/");
  }

  @Override
  public String source() {
    return "s3://" + bucket + "/" + prefix;
  }

  @Override
  public String destination() {
    return "batch " + name;
  }

  /** Never two runs of one batch at once, on any node. */
  @Override
  public String runOf() {
    return "batch " + name;
  }
}
