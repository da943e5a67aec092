package dev.ferry.jobs.transfer;

import com.fasterxml.jackson.annotation.JsonTypeName;
import dev.ferry.jobs.engine.JobSpec;

/**
 * What a transfer job moves, fixed when it is created. {@code freeSpacePercent} is already resolved
 * against the default (0: no free-space check). {@code runOf} names what the transfer is a step of
 * (a workflow's push for one upload), so that it is queued once however often that step is tried;
 * null for an operator's transfer.
 */
@JsonTypeName("transfer")
public record TransferSpec(String bucket, String key, String host, String remotePath, int parts,
    double freeSpacePercent, TransferMode mode, boolean overwrite, String runOf) implements JobSpec {

  public TransferSpec(String bucket, String key, String host, String remotePath, int parts, double freeSpacePercent,
      TransferMode mode, boolean overwrite) {
    this(bucket, key, host, remotePath, parts, freeSpacePercent, mode, overwrite, null);
  }

  @Override
  public String source() {
    return "s3://" + bucket + "/" + key;
  }

  @Override
  public String destination() {
    return host + ":" + remotePath;
  }
}
