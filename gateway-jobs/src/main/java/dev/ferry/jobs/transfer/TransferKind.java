package dev.ferry.jobs.transfer;

import dev.ferry.jobs.engine.JobKind;
import dev.ferry.jobs.engine.JobRecord;
import dev.ferry.jobs.engine.JobSpec;
import dev.ferry.jobs.engine.JobWork;

/**
 * Transfers as a kind of job: stored as "transfer", and the kind of every job stored before there
 * were kinds. An attempt shows the job RUNNING only once past its free-space gate, and what a
 * failed, cancelled or lost attempt left in the remote staging folder is removed; its checkpoint is
 * the parts verified on the remote ({@link KeptParts}).
 */
public final class TransferKind implements JobKind {

  private final TransferRunner runner;

  TransferKind(TransferRunner runner) {
    this.runner = runner;
  }

  /** The kind as a job store reads it (name, spec, rows without a kind), for a store that runs no job. */
  public static JobKind asStored() {
    return new TransferKind(null);
  }

  @Override
  public String name() {
    return "transfer";
  }

  @Override
  public Class<? extends JobSpec> spec() {
    return TransferSpec.class;
  }

  @Override
  public Class<KeptParts> checkpoint() {
    return KeptParts.class;
  }

  @Override
  public JobWork work() {
    return runner::attempt;
  }

  @Override
  public boolean runningFromStart() {
    return false;
  }

  @Override
  public boolean storedWithoutKind() {
    return true;
  }

  @Override
  public void abandoned(JobRecord record, long claim) {
    runner.removeStaging(record, claim);
  }

  @Override
  public void cancelledUnheld(JobRecord record) {
    runner.removeAllStaging(record);
  }
}
