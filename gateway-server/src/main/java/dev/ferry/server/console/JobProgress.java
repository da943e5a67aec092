package dev.ferry.server.console;

import dev.ferry.jobs.engine.JobRecord;
import dev.ferry.jobs.engine.JobState;
import dev.ferry.jobs.transfer.KeptParts;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * A job's progress as people read it: bytes and parts done, and while it runs the rate since it
 * started and the time left at that rate. Both are averages over the run, steady enough to read on
 * a page polled every second.
 */
record JobProgress(long bytesDone, long size, int partsDone, int partsTotal, Double bytesPerSecond) {

  static JobProgress of(JobRecord job, Instant now) {
    Double rate = null;
    boolean moving = job.state() == JobState.RUNNING || job.state() == JobState.VERIFYING;
    // A resumed transfer's kept bytes were moved by earlier attempts: not part of this one's rate.
    long moved = job.bytesDone() - (job.checkpoint() instanceof KeptParts kept ? kept.keptBytes() : 0);
    if (moving && job.started() != null && moved > 0) {
      long millis = Math.max(1, Duration.between(Instant.parse(job.started()), now).toMillis());
      rate = moved * 1000.0 / millis;
    }
    return new JobProgress(job.bytesDone(), job.size(), job.partsDone(), job.partsTotal(), rate);
  }

  String bytes() {
    return size(bytesDone) + " of " + size(size);
  }

  String parts() {
    return partsDone + "/" + partsTotal + " parts";
  }

  /** "12.5 MB/s", or "" when the job is not moving bytes. */
  String rate() {
    return bytesPerSecond == null ? "" : size((long) (double) bytesPerSecond) + "/s";
  }

  /** "ETA 1m 05s" at the rate so far, or "" when there is no rate. */
  String eta() {
    if (bytesPerSecond == null || bytesPerSecond <= 0) {
      return "";
    }
    long seconds = (long) Math.ceil(Math.max(0, size - bytesDone) / bytesPerSecond);
    return seconds >= 60 ? String.format(Locale.ROOT, "ETA %dm %02ds", seconds / 60, seconds % 60)
        : "ETA " + seconds + "s";
  }

  /** Decimal units, as disks and line rates are sold. */
  static String size(long bytes) {
    if (bytes < 1000) {
      return bytes + " B";
    }
    String[] units = {"kB", "MB", "GB", "TB", "PB"};
    double value = bytes;
    int unit = -1;
    while (value >= 1000 && unit < units.length - 1) {
      value /= 1000;
      unit++;
    }
    return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
  }
}
