package dev.ferry.jobs.workflow;

import com.fasterxml.jackson.annotation.JsonTypeName;
import dev.ferry.jobs.engine.JobSpec;

/**
 * One run of a workflow on one upload, as the job engine stores it: the workflow's name, the event
 * that set it off (its id is the idempotency key a notified receiver drops repeats by) and the
 * uploaded object as it was committed.
 */
@JsonTypeName("workflow")
public record WorkflowSpec(String workflow, String eventId, String eventTime, String bucket, String key, String path,
    String user, long size, String sha256) implements JobSpec {

  @Override
  public String source() {
    return "s3://" + bucket + "/" + key;
  }

  @Override
  public String destination() {
    return "workflow " + workflow;
  }

  /** One run per workflow and upload: a repeated event queues nothing more. */
  @Override
  public String runOf() {
    return "workflow " + workflow + " " + eventId;
  }
}
