package dev.ferry.jobs.transfer;

import dev.ferry.jobs.engine.RunningJob;
import java.io.IOException;

/**
 * The attempt's record of the parts whose bytes are on the remote and verified: each part goes into
 * the job's checkpoint as it finishes and the job is saved at once (fenced by the claim), so a
 * restart, a takeover or a retry finds it. Parts finish on several threads.
 */
final class PartLedger {

  private final RunningJob job;
  private KeptParts parts;

  PartLedger(RunningJob job, KeptParts parts) {
    this.job = job;
    this.parts = parts;
    job.update(r -> r.withCheckpoint(parts));
  }

  /** Whether no part is kept: the attempt starts from the first byte. */
  synchronized boolean keepsNone() {
    return parts.parts().isEmpty();
  }

  /** The parts kept so far. */
  synchronized java.util.List<KeptParts.Part> kept() {
    return parts.parts();
  }

  synchronized boolean has(int index) {
    return parts.has(index);
  }

  /**
   * Records {@code part}, verified on the remote, and saves the job; not after the last part, whose
   * attempt saves the job as it goes on to verify the whole file.
   */
  void add(KeptParts.Part part) throws IOException {
    boolean last;
    synchronized (this) {
      KeptParts more = parts.with(part);
      parts = more;
      last = more.parts().size() == more.partCount();
      job.update(r -> r.withCheckpoint(more));
    }
    if (!last) {
      job.save();
    }
  }

  /**
   * Forgets every part (what the attempt started with stays, for the record): the whole file failed
   * its check, so no part of it is to be trusted by a later attempt.
   */
  void forgetAll() throws IOException {
    synchronized (this) {
      KeptParts none = parts.withoutParts();
      parts = none;
      job.update(r -> r.withCheckpoint(none));
    }
    job.save();
  }

  /** Whether this node may go on writing the job's bytes (see {@link RunningJob#holdsClaim()}). */
  boolean holdsClaim() {
    return job.holdsClaim();
  }
}
