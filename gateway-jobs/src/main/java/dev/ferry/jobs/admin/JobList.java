package dev.ferry.jobs.admin;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.ferry.jobs.engine.JobRecord;
import dev.ferry.jobs.engine.JobState;
import java.util.List;
import java.util.Map;

/**
 * What {@code jobs} answers: a page of jobs, newest first, or with {@code --counts} how many jobs
 * are in each state; the other is null. Written as JSON as the one it holds (an array or an object).
 */
public record JobList(List<JobRecord> jobs, Map<JobState, Long> counts) {

  static JobList page(List<JobRecord> jobs) {
    return new JobList(jobs, null);
  }

  static JobList counts(Map<JobState, Long> counts) {
    return new JobList(null, counts);
  }

  @JsonValue
  public Object json() {
    return counts != null ? counts : jobs;
  }
}
