package dev.ferry.jobs.workflow;

import dev.ferry.core.event.Origin;
import dev.ferry.core.object.ObjectBusyException;
import dev.ferry.core.object.ObjectChange;
import dev.ferry.core.s3.S3Location;
import dev.ferry.jobs.engine.JobException;
import java.io.IOException;
import java.nio.file.NoSuchFileException;

/**
 * Where a workflow job is as it runs one step: the workflow, the step's index, the upload that
 * queued the job, and the object as the steps before left it.
 */
record StepContext(WorkflowDefinition workflow, int index, WorkflowSpec spec, String jobId, S3Location object) {

  /** How the job names itself in path locks, logs and errors. */
  String purpose() {
    return purpose(workflow, jobId);
  }

  static String purpose(WorkflowDefinition workflow, String jobId) {
    return "workflow " + workflow.name() + " (job " + jobId + ")";
  }

  /** The step's change of an object, published as the workflow's. */
  ObjectChange change() {
    return ObjectChange.by(origin(workflow), purpose());
  }

  /** Who a workflow's changes are published as: the workflow, so that no workflow runs on them by default. */
  static Origin origin(WorkflowDefinition workflow) {
    return Origin.of(Origin.Kind.WORKFLOW, workflow.name());
  }

  /** Where this upload's outputs go under a step's prefix: see {@link OutputPlace}. */
  OutputPlace place() {
    return OutputPlace.of(workflow, spec);
  }

  /** An object change of a step. */
  @FunctionalInterface
  interface Change {
    void run() throws IOException;
  }

  /**
   * Runs a step's change of {@code object}: a busy path (a client's transfer of it) is tried again
   * with the job; a vanished object ends the job.
   */
  static void asStep(S3Location object, String purpose, Change change) throws IOException {
    try {
      change.run();
    } catch (ObjectBusyException e) {
      throw JobException.retryable(e.getMessage(), e);
    } catch (NoSuchFileException e) {
      throw JobException.permanent(purpose + ": " + object + " is gone (deleted or renamed since its upload)", e);
    }
  }
}
