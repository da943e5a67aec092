package dev.ferry.jobs.workflow;

import dev.ferry.core.object.ObjectChange;
import dev.ferry.core.object.ObjectOperations;
import dev.ferry.core.s3.S3Location;
import java.io.IOException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The move step, and the move into a workflow's quarantine: later steps work on the moved object. */
final class MoveStep implements StepRun<WorkflowStep.Move> {

  private static final Logger log = LoggerFactory.getLogger(Workflows.class);

  private final ObjectOperations objects;

  MoveStep(ObjectOperations objects) {
    this.objects = objects;
  }

  @Override
  public S3Location run(WorkflowStep.Move move, StepContext at) throws IOException {
    S3Location target = move(at.workflow(), at.object(), move.target(), at.place(), at.purpose(), Duration.ZERO);
    log.info("{}: moved {} to {}", at.purpose(), at.object(), target);
    return target;
  }

  /**
   * A server-side copy into {@code place} under {@code prefix} (name, SHA-256 and time kept), then the original deleted,
   * both under the path locks. Done already when the original is gone and the copy is there: an
   * earlier attempt moved it and stopped before recording the step.
   */
  S3Location move(WorkflowDefinition workflow, S3Location object, S3Location prefix, OutputPlace place,
      String purpose, Duration patience) throws IOException {
    S3Location target = place.file(prefix, object);
    StepContext.asStep(object, purpose, () -> objects.move(object, target,
        ObjectChange.by(StepContext.origin(workflow), purpose).waitingUpTo(patience).retried()));
    return target;
  }
}
