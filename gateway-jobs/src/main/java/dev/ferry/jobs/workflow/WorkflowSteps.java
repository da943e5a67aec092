package dev.ferry.jobs.workflow;

import dev.ferry.core.s3.S3Location;
import dev.ferry.jobs.engine.JobRecheck;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/** Each type of workflow step and the {@link StepRun} that does it: a step is handed to its own. */
final class WorkflowSteps {

  private final Map<Class<? extends WorkflowStep>, StepRun<?>> runs = new HashMap<>();

  /** Every step type, with the move that quarantine also uses. */
  WorkflowSteps(MoveStep move, CopyStep copy, DecompressStep decompress, DecryptStep decrypt, EncryptStep encrypt,
      ScanStep scan, DeleteStep delete, PushStep push, NotifyStep notify) {
    add(WorkflowStep.Copy.class, copy);
    add(WorkflowStep.Move.class, move);
    add(WorkflowStep.Decompress.class, decompress);
    add(WorkflowStep.Decrypt.class, decrypt);
    add(WorkflowStep.Encrypt.class, encrypt);
    add(WorkflowStep.Scan.class, scan);
    add(WorkflowStep.Delete.class, delete);
    add(WorkflowStep.Push.class, push);
    add(WorkflowStep.Notify.class, notify);
  }

  private <S extends WorkflowStep> void add(Class<S> type, StepRun<S> run) {
    runs.put(type, run);
  }

  /** Runs {@code step} on the object where {@code at} says it is; returns where it is after. */
  S3Location run(WorkflowStep step, StepContext at) throws IOException, InterruptedException, JobRecheck {
    @SuppressWarnings("unchecked") // add() pairs each type with a run of that type
    StepRun<WorkflowStep> run = (StepRun<WorkflowStep>) runs.get(step.getClass());
    return run.run(step, at);
  }
}
