package dev.ferry.jobs.transfer;

import com.fasterxml.jackson.annotation.JsonTypeName;

/**
 * What a transfer job moves, fixed when it is created. {@code freeSpacePercent} is already resolved
 * against the default (0: no free-space check).
 */
@JsonTypeName("transfer")
public record TransferSpec(String bucket, String key, String host, String remotePath, int parts,
    double freeSpacePercent, TransferMode mode, boolean overwrite) implements JobSpec {

  @Override
  public String source() {
    return "s3://" + bucket + "/" + key;
  }

  @Override
  public String destination() {
    return host + ":" + remotePath;
  }
}
