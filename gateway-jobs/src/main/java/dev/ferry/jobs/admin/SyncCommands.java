package dev.ferry.jobs.admin;

import dev.ferry.core.admin.AdminResponse;
import dev.ferry.jobs.engine.JobRecord;
import dev.ferry.jobs.engine.JobRefusedException;
import dev.ferry.jobs.sync.SyncDefinition;
import dev.ferry.jobs.sync.Syncs;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The admin commands over syncs: {@code sync run} and {@code syncs}. */
final class SyncCommands {

  private SyncCommands() {}

  /** sync run NAME [--full] | sync run REMOTE:/dir s3://bucket/prefix/ [--full] */
  static final class RunSync implements AdminCommand {
    private static final Syntax SYNTAX = new Syntax("sync", "sync run <name> [--full] | sync run <remote>:<absolute dir>"
        + " s3://<bucket>/<prefix>/ [--full]", 2, 3, Set.of(), Set.of("full"));
    private final Syncs syncs;

    RunSync(Syncs syncs) {
      this.syncs = syncs;
    }

    @Override
    public Syntax syntax() {
      return SYNTAX;
    }

    @Override
    public AdminResponse run(AdminRequest request) throws Exception {
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
  static final class ListSyncs implements AdminCommand {
    @Override
    public boolean readOnly() {
      return true;
    }

    private static final Syntax SYNTAX = Syntax.of("syncs", "syncs", 0);
    private final Syncs syncs;

    ListSyncs(Syncs syncs) {
      this.syncs = syncs;
    }

    @Override
    public Syntax syntax() {
      return SYNTAX;
    }

    @Override
    public AdminResponse run(AdminRequest request) throws Exception {
      List<Map<String, Object>> data = new ArrayList<>();
      StringBuilder text = new StringBuilder();
      for (Syncs.Status status : syncs.list()) {
        SyncDefinition sync = status.definition();
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("name", sync.name());
        entry.put("source", sync.host() + ":" + sync.remoteDir());
        entry.put("target", "s3://" + sync.bucket() + "/" + sync.prefix());
        entry.put("every", sync.every().toString());
        entry.put("fullEvery", sync.fullEvery() == null ? null : sync.fullEvery().toString());
        entry.put("lastRun", status.lastRun());
        entry.put("running", status.unfinished() == null ? null : status.unfinished().id());
        entry.put("nextIncremental", instant(status.nextIncrementalAt()));
        entry.put("nextFull", instant(status.nextFullAt()));
        entry.put("fullPending", status.fullPending());
        data.add(entry);
        text.append(sync.name()).append("  ").append(entry.get("source")).append(" -> ").append(entry.get("target"))
            .append('\n');
        JobRecord last = status.lastRun();
        text.append("  last run:  ").append(last == null ? "none" : last.id() + " " + last.state()
            + (last.finished() != null ? " at " + last.finished() : "")
            + (last.counts() != null ? " (" + JobText.files(last.counts()) + ")" : "")
            + (last.lastError() != null && !last.state().name().equals("DONE") ? ": " + last.lastError() : ""))
            .append('\n');
        text.append("  next run:  incremental ").append(orNone(entry.get("nextIncremental"))).append(", full ")
            .append(status.fullPending() ? "when the running one ends" : orNone(entry.get("nextFull"))).append('\n');
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
