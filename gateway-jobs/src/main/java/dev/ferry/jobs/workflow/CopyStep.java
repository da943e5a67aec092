package dev.ferry.jobs.workflow;

import dev.ferry.core.object.ObjectOperations;
import dev.ferry.core.s3.S3Location;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The copy step: a server-side copy under the target prefix; later steps stay on the original. */
final class CopyStep implements StepRun<WorkflowStep.Copy> {

  private static final Logger log = LoggerFactory.getLogger(Workflows.class);

  private final ObjectOperations objects;

  CopyStep(ObjectOperations objects) {
    this.objects = objects;
  }

  @Override
  public S3Location run(WorkflowStep.Copy copy, StepContext at) throws IOException {
    S3Location object = at.object();
    S3Location target = at.place().file(copy.target(), object);
    StepContext.asStep(object, at.purpose(), () -> objects.copy(object, target, at.change()));
    log.info("{}: copied {} to {}", at.purpose(), object, target);
    return object;
  }
}
