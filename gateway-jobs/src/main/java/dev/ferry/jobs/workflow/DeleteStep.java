package dev.ferry.jobs.workflow;

import dev.ferry.core.object.ObjectOperations;
import dev.ferry.core.s3.S3Location;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The delete step: the object deleted, under its path lock. */
final class DeleteStep implements StepRun<WorkflowStep.Delete> {

  private static final Logger log = LoggerFactory.getLogger(Workflows.class);

  private final ObjectOperations objects;

  DeleteStep(ObjectOperations objects) {
    this.objects = objects;
  }

  @Override
  public S3Location run(WorkflowStep.Delete delete, StepContext at) throws IOException {
    S3Location object = at.object();
    StepContext.asStep(object, at.purpose(), () -> objects.delete(object, at.change()));
    log.info("{}: deleted {}", at.purpose(), object);
    return object;
  }
}
