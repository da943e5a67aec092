package dev.ferry.jobs.workflow;

import dev.ferry.core.s3.S3Location;
import dev.ferry.jobs.engine.JobRecheck;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The push step: one transfer job per upload and step ({@link PushDelivery}), done when the transfer is. */
final class PushStep implements StepRun<WorkflowStep.Push> {

  private static final Logger log = LoggerFactory.getLogger(Workflows.class);

  private final PushDelivery pushes;

  PushStep(PushDelivery pushes) {
    this.pushes = pushes;
  }

  @Override
  public S3Location run(WorkflowStep.Push push, StepContext at) throws IOException, JobRecheck {
    pushes.deliver(push, at.object(), at.spec().runOf() + " step " + (at.index() + 1), at.purpose());
    log.info("{}: pushed {} to {}:{}", at.purpose(), at.object(), push.host(), push.dir());
    return at.object();
  }
}
