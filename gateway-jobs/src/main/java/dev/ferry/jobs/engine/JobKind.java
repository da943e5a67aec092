package dev.ferry.jobs.engine;

/**
 * A kind of job (transfer, sync, workflow, batch): the name its specs are stored under, their
 * type, and what runs them. The engine knows kinds only through this interface; each kind's
 * package registers its own with {@link JobEngine}.
 */
public interface JobKind {

  /** The name stored in a spec's {@code kind} property and carried by the job's events. */
  String name();

  Class<? extends JobSpec> spec();

  /**
   * The type of what this kind's attempts leave for the next ({@link JobRecord#checkpoint()}), stored
   * under the kind's name; null when they leave nothing.
   */
  default Class<? extends JobCheckpoint> checkpoint() {
    return null;
  }

  /** What one attempt of a job of this kind does, on the worker that claimed it. */
  JobWork work();

  /**
   * Whether the engine shows a job RUNNING as its attempt starts. A kind that first waits for
   * something at the start of each attempt (a transfer's free-space gate) says so itself.
   */
  default boolean runningFromStart() {
    return true;
  }

  /**
   * Whether rows stored without a {@code kind} (or with one no kind here has) are of this kind:
   * true for the one kind that existed before there were kinds (transfers).
   */
  default boolean storedWithoutKind() {
    return false;
  }

  /**
   * Best effort after this node's attempt under {@code claim} failed, was cancelled or lost its
   * claim: what the attempt left outside the store (a remote staging folder) goes.
   */
  default void abandoned(JobRecord record, long claim) {}

  /** Best effort for a job no node holds, ended by a cancel: what any of its claims left goes. */
  default void cancelledUnheld(JobRecord record) {}

  /** A kind whose jobs only run {@code work}, with the engine's defaults for the rest. */
  static JobKind of(String name, Class<? extends JobSpec> spec, JobWork work) {
    return new JobKind() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public Class<? extends JobSpec> spec() {
        return spec;
      }

      @Override
      public JobWork work() {
        return work;
      }
    };
  }
}
