package dev.ferry.jobs.admin;

import dev.ferry.jobs.engine.JobRecord;
import dev.ferry.jobs.sync.SyncSpec;
import dev.ferry.jobs.transfer.KeptParts;
import dev.ferry.jobs.transfer.TransferSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** Jobs as text for people: one line in lists, a block for {@code job <id>}. */
final class JobText {

  private JobText() {}

  static String line(JobRecord job) {
    return String.format(Locale.ROOT, "%s  %-17s %s%s -> %s  %s", job.id(), job.state(),
        job.spec() instanceof SyncSpec sync ? "sync (" + sync.runKind() + ") " : "", job.spec().source(),
        job.spec().destination(), progress(job));
  }

  static String details(JobRecord job) {
    StringBuilder s = new StringBuilder();
    s.append("job ").append(job.id()).append('\n');
    s.append("  state:       ").append(job.state()).append('\n');
    if (job.spec() instanceof TransferSpec transfer) {
      s.append("  source:      ").append(transfer.source()).append(" (").append(job.size()).append(" bytes)\n");
      s.append("  destination: ").append(transfer.destination()).append(transfer.overwrite() ? " (overwrite)" : "")
          .append('\n');
      s.append("  mode:        ").append(transfer.mode().name().toLowerCase(Locale.ROOT)).append(", ")
          .append(transfer.parts()).append(" part(s)\n");
      if (job.checkpoint() instanceof KeptParts kept) {
        s.append("  parts:       ").append(kept.describe(job.partsDone())).append('\n');
      }
    } else if (job.spec() instanceof SyncSpec sync) {
      s.append("  sync:        ").append(sync.name() == null ? "(one-off)" : sync.name()).append(", ")
          .append(sync.runKind()).append(" run").append(sync.mirror() ? ", mirror" : "")
          .append(sync.deleteSource() ? ", deletes sources" : "").append('\n');
      s.append("  source:      ").append(sync.source()).append('\n');
      s.append("  destination: ").append(sync.destination()).append('\n');
      if (job.counts() != null) {
        s.append("  files:       ").append(files(job.counts())).append('\n');
      }
      if (job.current() != null && !job.state().isFinal()) {
        s.append("  copying:     ").append(job.current()).append('\n');
      }
    }
    s.append("  progress:    ").append(progress(job)).append('\n');
    s.append("  attempts:    ").append(job.attempts()).append('\n');
    if (job.node() != null) {
      s.append("  node:        ").append(job.node()).append('\n');
    }
    if (job.spec() instanceof TransferSpec transfer) {
      s.append("  free space:  ").append(transfer.freeSpacePercent() > 0
          ? "needs > " + transfer.freeSpacePercent() + "%" : "not checked");
      if (job.lastFreeSpace() != null) {
        s.append(", last measured ").append(job.lastFreeSpace()).append(" at ").append(job.freeSpaceMeasured());
      }
      s.append('\n');
    }
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
    if (job.spec() instanceof SyncSpec) {
      String files = job.counts() == null ? "not started" : files(job.counts());
      return files + ", " + job.bytesDone() + "/" + job.size() + " bytes" + rate(job);
    }
    return job.bytesDone() + "/" + job.size() + " bytes, " + job.partsDone() + "/" + job.partsTotal() + " parts";
  }

  static String files(Map<String, Long> counts) {
    return counts.entrySet().stream().filter(e -> e.getValue() > 0 || e.getKey().equals("seen"))
        .map(e -> e.getValue() + " " + e.getKey()).collect(Collectors.joining(", "));
  }

  /** Bytes per second since the run started, while it runs. */
  private static String rate(JobRecord job) {
    if (job.started() == null || job.state().isFinal() || job.bytesDone() == 0) {
      return "";
    }
    long millis = Math.max(1, Duration.between(Instant.parse(job.started()), Instant.now()).toMillis());
    return String.format(Locale.ROOT, ", %.1f MB/s", job.bytesDone() / 1000.0 / millis);
  }
}
