package dev.ferry.jobs.batch;

import dev.ferry.core.s3.S3Location;
import dev.ferry.jobs.engine.RunningJob;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A batch run's counts (files, archives, bytes, busy, changed, kept, cleaned, indexed ...) and the
 * archive it is writing, kept in its job's record: what {@code jobs} shows, and what a retry after a
 * crash starts from ({@code cleaned}: the archives whose originals are deleted already).
 */
final class RunProgress {

  private final RunningJob job;
  private final Map<String, Long> counts = new LinkedHashMap<>();

  RunProgress(RunningJob job) {
    this.job = job;
    if (job.record().counts() != null) {
      counts.putAll(job.record().counts());
    }
  }

  long count(String name) {
    return counts.getOrDefault(name, 0L);
  }

  void add(String name, long n) {
    counts.merge(name, n, Long::sum);
  }

  void set(String name, long value) {
    counts.put(name, value);
  }

  /** Records the counts, and that {@code archive} is being written: a retry removes it unless its manifest is there. */
  void saveWriting(S3Location archive) throws IOException {
    save(archive.toString());
  }

  /** Records the counts, and that no archive is being written. */
  void save() throws IOException {
    save(null);
  }

  private void save(String current) throws IOException {
    Map<String, Long> now = new LinkedHashMap<>(counts);
    long bytes = count("bytes");
    job.update(r -> r.withCounts(now, bytes, current));
    job.save();
  }
}
