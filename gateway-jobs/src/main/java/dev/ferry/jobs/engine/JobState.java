package dev.ferry.jobs.engine;

/** Where a job is in its life; DONE, FAILED and CANCELLED are final. */
public enum JobState {
  QUEUED, WAITING_FOR_SPACE, RUNNING, VERIFYING, DONE, FAILED, CANCELLED;

  public boolean isFinal() {
    return this == DONE || this == FAILED || this == CANCELLED;
  }

  /** "waiting-for-space" or "WAITING_FOR_SPACE" → the state; null when no state has that name. */
  public static JobState parse(String name) {
    for (JobState state : values()) {
      if (state.name().equalsIgnoreCase(name.replace('-', '_'))) {
        return state;
      }
    }
    return null;
  }
}
