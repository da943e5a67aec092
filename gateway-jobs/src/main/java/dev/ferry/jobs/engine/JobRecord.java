package dev.ferry.jobs.engine;

import dev.ferry.jobs.remote.FreeSpace;
import java.util.Map;

/**
 * A job as stored in the state store and shown by the admin console: its spec, state, the figures
 * an operator watches, and the node that runs (or last ran) it. Times are ISO-8601 instants (null
 * until they happen). {@code counts} and {@code current} are for jobs over many files (a sync run:
 * files seen, copied, skipped, failed; the file being copied); a transfer has none. {@code
 * checkpoint} is what the attempts so far leave for the next (a transfer's verified parts), or null.
 */
public record JobRecord(String id, JobSpec spec, JobState state, long size, long bytesDone, int partsDone,
    int partsTotal, int attempts, String lastError, String created, String started, String finished,
    FreeSpace lastFreeSpace, String freeSpaceMeasured, String node, Map<String, Long> counts, String current,
    JobCheckpoint checkpoint) {

  public JobRecord(String id, JobSpec spec, JobState state, long size, long bytesDone, int partsDone, int partsTotal,
      int attempts, String lastError, String created, String started, String finished, FreeSpace lastFreeSpace,
      String freeSpaceMeasured, String node) {
    this(id, spec, state, size, bytesDone, partsDone, partsTotal, attempts, lastError, created, started, finished,
        lastFreeSpace, freeSpaceMeasured, node, null, null, null);
  }

  public JobRecord withSize(long total) {
    return new JobRecord(id, spec, state, total, bytesDone, partsDone, partsTotal, attempts, lastError, created, started,
        finished, lastFreeSpace, freeSpaceMeasured, node, counts, current, checkpoint);
  }

  public JobRecord withCounts(Map<String, Long> newCounts, long bytes, String now) {
    return new JobRecord(id, spec, state, size, bytes, partsDone, partsTotal, attempts, lastError, created, started,
        finished, lastFreeSpace, freeSpaceMeasured, node, newCounts == null ? null
        : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(newCounts)), now, checkpoint);
  }

  public JobRecord withState(JobState next) {
    return new JobRecord(id, spec, next, size, bytesDone, partsDone, partsTotal, attempts, lastError, created,
        started, finished, lastFreeSpace, freeSpaceMeasured, node, counts, current, checkpoint);
  }

  public JobRecord withProgress(long bytes, int parts, int total) {
    return new JobRecord(id, spec, state, size, bytes, parts, total, attempts, lastError, created, started,
        finished, lastFreeSpace, freeSpaceMeasured, node, counts, current, checkpoint);
  }

  JobRecord withAttempt(int attempt, String startedAt) {
    return new JobRecord(id, spec, state, size, 0, 0, partsTotal, attempt, lastError, created, startedAt, finished,
        lastFreeSpace, freeSpaceMeasured, node, counts, current, checkpoint);
  }

  public JobRecord withRunning(long objectSize, int parts, String startedAt) {
    return new JobRecord(id, spec, JobState.RUNNING, objectSize, 0, 0, parts, attempts, lastError, created, startedAt,
        null, lastFreeSpace, freeSpaceMeasured, node, counts, current, checkpoint);
  }

  public JobRecord withError(String error) {
    return new JobRecord(id, spec, state, size, bytesDone, partsDone, partsTotal, attempts, error, created, started,
        finished, lastFreeSpace, freeSpaceMeasured, node, counts, current, checkpoint);
  }

  JobRecord withFinished(JobState end, String at) {
    return new JobRecord(id, spec, end, size, bytesDone, partsDone, partsTotal, attempts, lastError, created, started,
        at, lastFreeSpace, freeSpaceMeasured, node, counts, current, checkpoint);
  }

  public JobRecord withFreeSpace(FreeSpace measured, String at) {
    return new JobRecord(id, spec, state, size, bytesDone, partsDone, partsTotal, attempts, lastError, created,
        started, finished, measured, at, node, counts, current, checkpoint);
  }

  JobRecord withNode(String name) {
    return new JobRecord(id, spec, state, size, bytesDone, partsDone, partsTotal, attempts, lastError, created,
        started, finished, lastFreeSpace, freeSpaceMeasured, name, counts, current, checkpoint);
  }

  public JobRecord withCheckpoint(JobCheckpoint kept) {
    return new JobRecord(id, spec, state, size, bytesDone, partsDone, partsTotal, attempts, lastError, created,
        started, finished, lastFreeSpace, freeSpaceMeasured, node, counts, current, kept);
  }
}
