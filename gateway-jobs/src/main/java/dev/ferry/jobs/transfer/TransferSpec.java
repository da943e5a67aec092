package dev.ferry.jobs.transfer;

/**
 * What a transfer job moves, fixed when it is created. {@code freeSpacePercent} is already resolved
 * against the default (0: no free-space check).
 */
public record TransferSpec(String bucket, String key, String host, String remotePath, int parts,
    double freeSpacePercent, TransferMode mode, boolean overwrite) {

  public String source() {
    return "s3://" + bucket + "/" + key;
  }

  public String destination() {
    return host + ":" + remotePath;
  }
}
