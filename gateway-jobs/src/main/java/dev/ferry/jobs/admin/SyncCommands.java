package dev.ferry.jobs.admin;

import dev.ferry.core.admin.AdminResponse;
import dev.ferry.jobs.engine.JobRecord;
import dev.ferry.jobs.engine.JobRefusedException;
import dev.ferry.jobs.sync.SyncDefinition;
import dev.ferry.jobs.sync.Syncs;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** The admin commands over syncs: {@code sync run} and {@code syncs}. */
public final class SyncCommands {

  private SyncCommands() {}

  /** sync run NAME [--full] | sync run REMOTE:/dir s3://bucket/prefix/ [--full] */
  public static final class RunSync extends AdminCommand<JobRecord> {
    private final Syncs syncs;

    RunSync(Syncs syncs) {
      super(Syntax.changes("sync", "sync run <name> [--full] | sync run <remote>:<absolute dir>"
          + " s3://<bucket>/<prefix>/ [--full]", 2).accepting(2, 3, Set.of(), Set.of("full")));
      this.syncs = syncs;
    }

    @Override
    public AdminResponse<JobRecord> run(AdminRequest request) throws Exception {
      AdminArgs args = request.args();
      if (!"run".equals(args.positional(0))) {
        throw AdminArgs.usage(this, "unknown sub-command '" + args.positional(0) + "'");
      }
      boolean full = args.flag("full");
      try {
        JobRecord job = args.positional(2) == null ? syncs.run(args.positional(1), full)
            : syncs.runOneOff(args.positional(1), args.positional(2), full);
        return AdminResponse.ok(job.id() + "\n", job);
      } catch (JobRefusedException e) {
        throw AdminCommands.refused(e);
      }
    }
  }

  /** syncs: each configured sync with its last run, result and next runs. */
  public static final class ListSyncs extends AdminCommand<List<ListSyncs.Sync>> {

    /** A configured sync: where from and to, how often, its last run, the one running (its id) and the next. */
    public record Sync(String name, String source, String target, String every, String fullEvery, JobRecord lastRun,
        String running, String nextIncremental, String nextFull, boolean fullPending) {}

    private final Syncs syncs;

    ListSyncs(Syncs syncs) {
      super(Syntax.reads("syncs", "syncs", 0));
      this.syncs = syncs;
    }

    @Override
    public AdminResponse<List<Sync>> run(AdminRequest request) throws Exception {
      List<Sync> data = new ArrayList<>();
      StringBuilder text = new StringBuilder();
      for (Syncs.Status status : syncs.list()) {
        SyncDefinition sync = status.definition();
        Sync entry = new Sync(sync.name(), sync.host() + ":" + sync.remoteDir(),
            "s3://" + sync.bucket() + "/" + sync.prefix(), sync.every().toString(),
            sync.fullEvery() == null ? null : sync.fullEvery().toString(), status.lastRun(),
            status.unfinished() == null ? null : status.unfinished().id(), instant(status.nextIncrementalAt()),
            instant(status.nextFullAt()), status.fullPending());
        data.add(entry);
        text.append(sync.name()).append("  ").append(entry.source()).append(" -> ").append(entry.target())
            .append('\n');
        JobRecord last = status.lastRun();
        text.append("  last run:  ").append(last == null ? "none" : last.id() + " " + last.state()
            + (last.finished() != null ? " at " + last.finished() : "")
            + (last.counts() != null ? " (" + JobText.files(last.counts()) + ")" : "")
            + (last.lastError() != null && !last.state().name().equals("DONE") ? ": " + last.lastError() : ""))
            .append('\n');
        text.append("  next run:  incremental ").append(orNone(entry.nextIncremental())).append(", full ")
            .append(status.fullPending() ? "when the running one ends" : orNone(entry.nextFull())).append('\n');
      }
      return AdminResponse.ok(text.length() == 0 ? "no syncs configured\n" : text.toString(), data);
    }

    private static String instant(Long millis) {
      return millis == null ? null : Instant.ofEpochMilli(millis).toString();
    }

    private static String orNone(Object value) {
      return value == null ? "not scheduled" : value.toString();
    }
  }
}
