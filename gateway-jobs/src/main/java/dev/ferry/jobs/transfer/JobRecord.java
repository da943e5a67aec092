package dev.ferry.jobs.transfer;

import dev.ferry.jobs.remote.FreeSpace;

/**
 * A job as stored in the state store and shown by the admin console: its spec, state, the figures
 * an operator watches, and the node that runs (or last ran) it. Times are ISO-8601 instants (null
 * until they happen).
 */
public record JobRecord(String id, TransferSpec spec, JobState state, long size, long bytesDone, int partsDone,
    int partsTotal, int attempts, String lastError, String created, String started, String finished,
    FreeSpace lastFreeSpace, String freeSpaceMeasured, String node) {

  JobRecord withState(JobState next) {
    return new JobRecord(id, spec, next, size, bytesDone, partsDone, partsTotal, attempts, lastError, created,
        started, finished, lastFreeSpace, freeSpaceMeasured, node);
  }

  JobRecord withProgress(long bytes, int parts, int total) {
    return new JobRecord(id, spec, state, size, bytes, parts, total, attempts, lastError, created, started,
        finished, lastFreeSpace, freeSpaceMeasured, node);
  }

  JobRecord withAttempt(int attempt, String startedAt) {
    return new JobRecord(id, spec, state, size, 0, 0, partsTotal, attempt, lastError, created, startedAt, finished,
        lastFreeSpace, freeSpaceMeasured, node);
  }

  JobRecord withRunning(long objectSize, int parts, String startedAt) {
    return new JobRecord(id, spec, JobState.RUNNING, objectSize, 0, 0, parts, attempts, lastError, created, startedAt,
        null, lastFreeSpace, freeSpaceMeasured, node);
  }

  JobRecord withError(String error) {
    return new JobRecord(id, spec, state, size, bytesDone, partsDone, partsTotal, attempts, error, created, started,
        finished, lastFreeSpace, freeSpaceMeasured, node);
  }

  JobRecord withFinished(JobState end, String at) {
    return new JobRecord(id, spec, end, size, bytesDone, partsDone, partsTotal, attempts, lastError, created, started,
        at, lastFreeSpace, freeSpaceMeasured, node);
  }

  JobRecord withFreeSpace(FreeSpace measured, String at) {
    return new JobRecord(id, spec, state, size, bytesDone, partsDone, partsTotal, attempts, lastError, created,
        started, finished, measured, at, node);
  }

  JobRecord withNode(String name) {
    return new JobRecord(id, spec, state, size, bytesDone, partsDone, partsTotal, attempts, lastError, created,
        started, finished, lastFreeSpace, freeSpaceMeasured, name);
  }
}
