package dev.ferry.jobs.workflow;

import dev.ferry.core.s3.S3Location;
import dev.ferry.jobs.engine.JobRecheck;
import java.io.IOException;

/**
 * What one type of workflow step does to the object a workflow job is at, one class per type (as
 * one Netty handler does one transform); {@link WorkflowSteps} hands each step to its own.
 */
@FunctionalInterface
interface StepRun<S extends WorkflowStep> {

  /** Runs {@code step} on {@code at.object()}; returns where the object is once it is done. */
  S3Location run(S step, StepContext at) throws IOException, InterruptedException, JobRecheck;
}
