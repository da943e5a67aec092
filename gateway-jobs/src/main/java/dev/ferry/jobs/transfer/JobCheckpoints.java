package dev.ferry.jobs.transfer;

import java.io.IOException;

/**
 * How an attempt records where it is, and checks before it commits on the remote that the job is
 * still this node's: both fail once another node has claimed the job (this node was silent for
 * longer than its lease), so the attempt stops and commits nothing.
 */
interface JobCheckpoints {

  /** Writes the job's record as it is now. */
  void save(Job job) throws IOException;

  /** Fails unless this node still holds the job's claim and has heartbeated within its lease. */
  void ensureHeld(Job job) throws IOException;
}
