package dev.ferry.jobs.sync;

import com.fasterxml.jackson.annotation.JsonTypeName;
import dev.ferry.jobs.engine.JobSpec;
import java.util.List;

/**
 * One run of a sync, as its job stores it: everything the run needs, copied from the sync's
 * definition when the run was started (or from the command line for a one-off), so a run that a
 * restart continues does what it set out to do. {@code name} is null for a one-off run;
 * {@code prefix} is empty or ends in '/'.
 */
@JsonTypeName("sync")
public record SyncSpec(String name, String host, String remoteDir, String bucket, String prefix, boolean full,
    List<String> include, List<String> exclude, long minAgeSeconds, int parallel, boolean recursive,
    boolean deleteSource, boolean mirror) implements JobSpec {

  @Override
  public String source() {
    return host + ":" + remoteDir;
  }

  @Override
  public String destination() {
    return "s3://" + bucket + "/" + prefix;
  }

  /** Runs of one sync, or one-off runs between the same two places, never overlap. */
  @Override
  public String runOf() {
    return "sync " + (name != null ? name : source() + " " + destination());
  }

  public String runKind() {
    return full ? "full" : "incremental";
  }
}
