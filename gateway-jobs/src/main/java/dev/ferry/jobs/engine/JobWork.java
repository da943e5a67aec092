package dev.ferry.jobs.engine;

/** What one kind of job does in one attempt, on the worker that claimed it. */
@FunctionalInterface
public interface JobWork {

  /**
   * Runs the job to its end and returns, or throws: a transient failure ({@link Failures#isTransient})
   * is retried with backoff as a new attempt, anything else fails the job with its message. An
   * attempt may be the second of a job whose first was cut off (a node stopped, a connection was
   * lost): it must not do twice what the first one finished.
   */
  void run(RunningJob job) throws Exception;
}
