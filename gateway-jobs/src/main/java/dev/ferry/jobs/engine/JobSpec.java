package dev.ferry.jobs.engine;

import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * What a job does, fixed when it is created: a transfer of one object to a remote host, or a run of
 * a sync. Stored with the job as JSON, its kind in the {@code kind} property; a job stored before
 * there were kinds has none and is of the kind that says it is {@linkplain JobKind#storedWithoutKind()
 * stored without one} (transfers). Every kind is registered with {@link JobEngine} as a {@link
 * JobKind}, so the engine knows none of them.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
public interface JobSpec {

  /** Where the job reads from, as an operator writes it (s3://bucket/key, host:/dir). */
  String source();

  /** Where the job writes to, as an operator writes it. */
  String destination();

  /**
   * The name of what this job is a run of, when two such runs must never be unfinished at once on
   * any node (a sync); null when any number may (a transfer).
   */
  default String runOf() {
    return null;
  }
}
