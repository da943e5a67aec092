package dev.ferry.jobs.admin;

import dev.ferry.jobs.transfer.JobRecord;
import java.util.Locale;

/** Jobs as text for people: one line in lists, a block for {@code job <id>}. */
final class JobText {

  private JobText() {}

  static String line(JobRecord job) {
    return String.format(Locale.ROOT, "%s  %-17s %s -> %s  %s", job.id(), job.state(), job.spec().source(),
        job.spec().destination(), progress(job));
  }

  static String details(JobRecord job) {
    StringBuilder s = new StringBuilder();
    s.append("job ").append(job.id()).append('\n');
    s.append("  state:       ").append(job.state()).append('\n');
    s.append("  source:      ").append(job.spec().source()).append(" (").append(job.size()).append(" bytes)\n");
    s.append("  destination: ").append(job.spec().destination()).append(job.spec().overwrite() ? " (overwrite)" : "")
        .append('\n');
    s.append("  mode:        ").append(job.spec().mode().name().toLowerCase(Locale.ROOT)).append(", ")
        .append(job.spec().parts()).append(" part(s)\n");
    s.append("  progress:    ").append(progress(job)).append('\n');
    s.append("  attempts:    ").append(job.attempts()).append('\n');
    if (job.node() != null) {
      s.append("  node:        ").append(job.node()).append('\n');
    }
    s.append("  free space:  ").append(job.spec().freeSpacePercent() > 0
        ? "needs > " + job.spec().freeSpacePercent() + "%" : "not checked");
    if (job.lastFreeSpace() != null) {
      s.append(", last measured ").append(job.lastFreeSpace()).append(" at ").append(job.freeSpaceMeasured());
    }
    s.append('\n');
    s.append("  created:     ").append(job.created()).append('\n');
    if (job.started() != null) {
      s.append("  started:     ").append(job.started()).append('\n');
    }
    if (job.finished() != null) {
      s.append("  finished:    ").append(job.finished()).append('\n');
    }
    if (job.lastError() != null) {
      s.append("  last error:  ").append(job.lastError()).append('\n');
    }
    return s.toString();
  }

  private static String progress(JobRecord job) {
    return job.bytesDone() + "/" + job.size() + " bytes, " + job.partsDone() + "/" + job.partsTotal() + " parts";
  }
}
