package dev.ferry.jobs.workflow;

import dev.ferry.core.s3.S3Location;
import dev.ferry.jobs.engine.JobException;
import dev.ferry.jobs.engine.JobRecheck;
import dev.ferry.jobs.engine.JobRecord;
import dev.ferry.jobs.engine.JobRefusedException;
import dev.ferry.jobs.transfer.Jobs;
import dev.ferry.jobs.transfer.TransferRequest;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

/**
 * The push step: one transfer job per upload and step, found again by its {@code runOf} (the
 * workflow, the upload event's id, the step), so that a step tried again after a crash or a retry
 * waits for the transfer it queued instead of queueing a second. The workflow job does not hold a
 * worker while the transfer runs: it is released and looks again after {@link #RECHECK}.
 */
final class PushDelivery {

  static final Duration RECHECK = Duration.ofSeconds(1);

  private final Jobs jobs;

  PushDelivery(Jobs jobs) {
    this.jobs = jobs;
  }

  /** Returns once the transfer is done; throws {@link JobRecheck} while it is queued or running. */
  void deliver(WorkflowStep.Push push, S3Location object, String runOf, String purpose)
      throws IOException, JobRecheck {
    String destination = push.host() + ":" + (push.dir().equals("/") ? "" : push.dir()) + "/"
        + object.key().substring(object.key().lastIndexOf('/') + 1);
    Optional<JobRecord> transfer = jobs.latestRunOf(runOf);
    if (transfer.isEmpty()) {
      try {
        transfer = jobs.submit(new TransferRequest("s3://" + object.bucket() + "/" + object.key(), destination,
            push.parts(), push.freeSpacePercent(), push.mode(), push.overwrite()), runOf);
      } catch (JobRefusedException e) {
        throw JobException.permanent(purpose + ": the push of " + object + " to " + destination + " was refused: "
            + e.getMessage(), e);
      }
      if (transfer.isEmpty()) { // another node queued it a moment ago
        transfer = jobs.latestRunOf(runOf);
      }
    }
    JobRecord job = transfer.orElseThrow(() -> JobException.retryable(purpose + ": the push's transfer job to "
        + destination + " is neither queued nor found"));
    switch (job.state()) {
      case DONE -> {
        return;
      }
      case FAILED, CANCELLED -> throw JobException.permanent(purpose + ": the push's transfer job " + job.id() + " to "
          + destination + " ended " + job.state() + ": " + job.lastError());
      default -> throw new JobRecheck("waiting for the push's transfer job " + job.id() + " to " + destination + " ("
          + job.state() + ")", RECHECK);
    }
  }
}
