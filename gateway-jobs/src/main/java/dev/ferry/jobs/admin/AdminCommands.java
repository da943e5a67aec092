package dev.ferry.jobs.admin;

import dev.ferry.core.admin.AdminException;
import dev.ferry.core.admin.AdminResponse;
import dev.ferry.core.admin.AdminStatus;
import dev.ferry.core.object.ObjectOperations;
import dev.ferry.core.quota.Quotas;
import dev.ferry.core.user.DisabledUserSessions;
import dev.ferry.core.user.DisabledUsers;
import dev.ferry.core.user.UserAccounts;
import dev.ferry.core.user.UserRegistry;
import dev.ferry.jobs.batch.Batches;
import dev.ferry.jobs.engine.JobRecord;
import dev.ferry.jobs.engine.JobRefusedException;
import dev.ferry.jobs.engine.JobState;
import dev.ferry.jobs.remote.FreeSpace;
import dev.ferry.jobs.remote.HostKeyCheck;
import dev.ferry.jobs.remote.RemoteHost;
import dev.ferry.jobs.sync.Syncs;
import dev.ferry.jobs.transfer.Jobs;
import dev.ferry.jobs.transfer.TransferMode;
import dev.ferry.jobs.transfer.TransferRequest;
import dev.ferry.jobs.watch.WatchedFolders;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The admin commands: over transfer jobs (transfer, push, jobs, job, cancel, hosts, df), objects
 * (stat, ls), syncs, watched folders, batches, the node's client sessions (sessions, disconnect), the files
 * they have open and throughput now (transfers), users (users, user add|set|delete|key|disable|enable) and
 * their quotas (quota show|scan).
 */
public final class AdminCommands {

  private AdminCommands() {}

  public static AdminCommandRegistry registry(Jobs jobs, Syncs syncs, WatchedFolders watches, Batches batches,
      ObjectOperations objects, ClientSessions sessions, UserRegistry users, DisabledUsers disabled,
      DisabledUserSessions disabledSessions, UserAccounts accounts, Quotas quotas) {
    return new AdminCommandRegistry(List.of(new Transfer(jobs), new Push(jobs), new ListJobs(jobs), new ShowJob(jobs),
        new Cancel(jobs), new Hosts(jobs), new Df(jobs), new ObjectStat(objects), new ListObjects(objects),
        new SyncCommands.RunSync(syncs), new SyncCommands.ListSyncs(syncs), new WatchCommands.ListWatches(watches),
        new RunBatch(batches), new ListBatches(batches), new SessionCommands.ListSessions(sessions),
        new SessionCommands.Disconnect(sessions), new ListTransfers(sessions.transfers(), sessions.rates()),
        new ListUsers(users, sessions.slots(), disabled, accounts, quotas),
        new UserCommand(accounts, new SwitchUser(users, disabled, disabledSessions)), new QuotaCommand(users, quotas)));
  }

  /** batch run NAME: queues a run of a configured batch now. */
  public static final class RunBatch extends AdminCommand<JobRecord> {
    private final Batches batches;

    RunBatch(Batches batches) {
      super(Syntax.changes("batch", "batch run <name>", 2));
      this.batches = batches;
    }

    @Override
    public AdminResponse<JobRecord> run(AdminRequest request) throws Exception {
      if (!"run".equals(request.args().positional(0))) {
        throw AdminArgs.usage(this, "unknown sub-command '" + request.args().positional(0) + "'");
      }
      try {
        JobRecord job = batches.run(request.args().positional(1));
        return AdminResponse.ok(job.id() + "\n", job);
      } catch (JobRefusedException e) {
        throw refused(e);
      }
    }
  }

  /** batches: each configured batch with its last run and when the next is due. */
  public static final class ListBatches extends AdminCommand<List<Batches.Status>> {
    private final Batches batches;

    ListBatches(Batches batches) {
      // Declared as a change, as it always was: the commands a read-only token may run stay the same.
      super(Syntax.changes("batches", "batches", 0));
      this.batches = batches;
    }

    @Override
    public AdminResponse<List<Batches.Status>> run(AdminRequest request) throws Exception {
      List<Batches.Status> statuses = batches.list();
      StringBuilder text = new StringBuilder();
      for (Batches.Status status : statuses) {
        JobRecord last = status.lastRun();
        text.append(status.name()).append("  ").append(status.folder()).append("  every ").append(status.every())
            .append("\n  last run:  ").append(last == null ? "none" : last.id() + " " + last.state()
                + (last.counts() != null ? " " + last.counts() : ""))
            .append("\n  next run:  ").append(status.unfinished() != null ? "after " + status.unfinished().id()
                : status.nextRun() == null ? "not scheduled" : status.nextRun())
            .append('\n');
      }
      return AdminResponse.ok(text.length() == 0 ? "no batches configured\n" : text.toString(), statuses);
    }
  }

  static AdminException refused(JobRefusedException e) {
    AdminStatus status = switch (e.reason()) {
      case BAD_ARGUMENT, UNKNOWN_HOST -> AdminStatus.BAD_REQUEST;
      case NOT_FOUND -> AdminStatus.NOT_FOUND;
      case NOT_ALLOWED -> AdminStatus.REFUSED;
      case CONFLICT -> AdminStatus.CONFLICT;
    };
    return new AdminException(status, e.getMessage());
  }

  /** transfer and push: two operands and the same options. */
  static AdminCommand.Syntax withTransferOptions(String name, String operands) {
    return AdminCommand.Syntax.changes(name, name + " " + operands
        + " [--parts N] [--free-space PCT] [--mode direct|relay] [--overwrite]", 2)
        .accepting(2, 2, Set.of("parts", "free-space", "mode"), Set.of("overwrite"));
  }

  /** The options transfer and push share, parsed once. */
  record TransferOptions(Integer parts, Double freeSpace, TransferMode mode, boolean overwrite) {
    static TransferOptions of(AdminCommand<?> command, AdminArgs args) throws AdminException {
      Integer parts = null;
      if (args.option("parts") != null) {
        try {
          parts = Integer.parseInt(args.option("parts"));
        } catch (NumberFormatException e) {
          throw AdminArgs.usage(command, "--parts must be a whole number, got '" + args.option("parts") + "'");
        }
      }
      Double freeSpace = null;
      String pct = args.option("free-space");
      if (pct != null && !pct.isBlank()) {
        try {
          freeSpace = TransferMode.parsePercent(pct);
        } catch (NumberFormatException e) {
          throw AdminArgs.usage(command, "--free-space must be a percentage, got '" + pct + "'");
        }
      } else if (pct != null) {
        freeSpace = 0.0;
      }
      TransferMode mode = TransferMode.DIRECT;
      if (args.option("mode") != null) {
        mode = TransferMode.parse(args.option("mode"));
        if (mode == null) {
          throw AdminArgs.usage(command, "--mode must be direct or relay, got '" + args.option("mode") + "'");
        }
      }
      return new TransferOptions(parts, freeSpace, mode, args.flag("overwrite"));
    }
  }

  /** push PREFIX HOST:DIR: one job per object under the prefix, relative paths kept. */
  public static final class Push extends AdminCommand<List<JobRecord>> {
    private final Jobs jobs;

    Push(Jobs jobs) {
      super(withTransferOptions("push", "<s3://bucket/prefix | bucket/prefix> <host>:<absolute dir>"));
      this.jobs = jobs;
    }

    @Override
    public AdminResponse<List<JobRecord>> run(AdminRequest request) throws Exception {
      AdminArgs args = request.args();
      TransferOptions options = TransferOptions.of(this, args);
      String target = args.positional(1);
      int colon = target.indexOf(':');
      if (colon <= 0) {
        throw AdminArgs.usage(this, "destination '" + target + "' must be host:/absolute/dir");
      }
      try {
        List<JobRecord> created = jobs.push(args.positional(0), target, options.parts(), options.freeSpace(),
            options.mode(), options.overwrite());
        return AdminResponse.ok(created.stream().map(j -> j.id() + "  " + j.spec().destination())
            .collect(Collectors.joining("\n", "", "\n")), created);
      } catch (JobRefusedException e) {
        throw refused(e);
      }
    }
  }

  /** transfer SOURCE HOST:PATH: validates, queues and answers with the job id at once. */
  public static final class Transfer extends AdminCommand<JobRecord> {
    private final Jobs jobs;

    Transfer(Jobs jobs) {
      super(withTransferOptions("transfer", "<s3://bucket/key | bucket/key> <host>:<absolute path>"));
      this.jobs = jobs;
    }

    @Override
    public AdminResponse<JobRecord> run(AdminRequest request) throws Exception {
      AdminArgs args = request.args();
      TransferOptions options = TransferOptions.of(this, args);
      try {
        JobRecord job = jobs.submit(new TransferRequest(args.positional(0), args.positional(1), options.parts(),
            options.freeSpace(), options.mode(), options.overwrite()));
        return AdminResponse.ok(job.id() + "\n", job);
      } catch (JobRefusedException e) {
        throw refused(e);
      }
    }
  }

  /** How many jobs {@code jobs} lists unless told otherwise (the console's page). */
  public static final int JOBS_PAGE = 100;

  /**
   * jobs [STATE] [--limit N] [--before ID]: newest first, a page at a time. A full page's last job
   * is the cursor of the next ({@code --before} it); the text says so. jobs --counts: how many jobs
   * of every node are in each state, from one query (what the console's dashboard polls).
   */
  public static final class ListJobs extends AdminCommand<JobList> {
    static final int DEFAULT_LIMIT = JOBS_PAGE;
    static final int MAX_LIMIT = 10_000;

    private final Jobs jobs;

    ListJobs(Jobs jobs) {
      super(Syntax.reads("jobs", "jobs [queued|waiting-for-space|running|verifying|done|failed|cancelled] [--limit N]"
          + " [--before JOB_ID] | jobs --counts", 0).accepting(0, 1, Set.of("limit", "before"), Set.of("counts")));
      this.jobs = jobs;
    }

    @Override
    public AdminResponse<JobList> run(AdminRequest request) throws Exception {
      String filter = request.args().positional(0);
      JobState state = filter == null ? null : JobState.parse(filter);
      if (filter != null && state == null) {
        throw AdminArgs.usage(this, "unknown state '" + filter + "'");
      }
      if (request.args().flag("counts")) {
        Map<JobState, Long> counts = jobs.countByState();
        StringBuilder text = new StringBuilder();
        for (JobState each : JobState.values()) {
          text.append(each.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-')).append(' ')
              .append(counts.getOrDefault(each, 0L)).append('\n');
        }
        return AdminResponse.ok(text.toString(), JobList.counts(counts));
      }
      int limit = request.args().limit(this, DEFAULT_LIMIT, MAX_LIMIT);
      String before = request.args().option("before");
      if (before != null && jobs.find(before).isEmpty()) {
        throw new AdminException(AdminStatus.NOT_FOUND, "jobs: no job '" + before + "' to page from (--before)");
      }
      List<JobRecord> list = jobs.list(state, limit, before);
      String text = list.isEmpty() ? "no jobs\n"
          : list.stream().map(JobText::line).collect(Collectors.joining("\n", "", "\n"));
      if (list.size() == limit) {
        text += "more: jobs" + (filter == null ? "" : " " + filter) + " --limit " + limit + " --before "
            + list.get(list.size() - 1).id() + "\n";
      }
      return AdminResponse.ok(text, JobList.page(list));
    }
  }

  /** job ID */
  public static final class ShowJob extends AdminCommand<JobRecord> {
    private final Jobs jobs;

    ShowJob(Jobs jobs) {
      super(Syntax.reads("job", "job <job id>", 1));
      this.jobs = jobs;
    }

    @Override
    public AdminResponse<JobRecord> run(AdminRequest request) throws Exception {
      String id = request.args().positional(0);
      JobRecord job = jobs.find(id).orElseThrow(() -> new AdminException(AdminStatus.NOT_FOUND, "no job '" + id + "'"));
      return AdminResponse.ok(JobText.details(job), job);
    }
  }

  /** cancel ID */
  public static final class Cancel extends AdminCommand<JobRecord> {
    private final Jobs jobs;

    Cancel(Jobs jobs) {
      super(Syntax.changes("cancel", "cancel <job id>", 1));
      this.jobs = jobs;
    }

    @Override
    public AdminResponse<JobRecord> run(AdminRequest request) throws Exception {
      try {
        JobRecord job = jobs.cancel(request.args().positional(0), Duration.ofSeconds(30));
        return AdminResponse.ok(job.id() + " " + job.state() + "\n", job);
      } catch (JobRefusedException e) {
        throw refused(e);
      }
    }
  }

  /** hosts: the configured remotes, without key material (the host key as its fingerprint). */
  public static final class Hosts extends AdminCommand<List<Hosts.Remote>> {

    /** A configured remote without key material: its host key as its fingerprint (or why it has none). */
    public record Remote(String name, String address, int port, String user, List<String> roots, String hostKey) {}

    private final Jobs jobs;

    Hosts(Jobs jobs) {
      super(Syntax.reads("hosts", "hosts", 0));
      this.jobs = jobs;
    }

    @Override
    public AdminResponse<List<Remote>> run(AdminRequest request) {
      List<Remote> hosts = jobs.hosts().stream().map(Hosts::describe).toList();
      StringBuilder text = new StringBuilder();
      for (RemoteHost host : jobs.hosts()) {
        text.append(host.name()).append("  ").append(host.user()).append('@').append(host.address()).append(':')
            .append(host.port()).append("  roots ").append(String.join(",", host.roots())).append('\n');
      }
      return AdminResponse.ok(text.length() == 0 ? "no hosts configured\n" : text.toString(), hosts);
    }

    private static Remote describe(RemoteHost host) {
      return new Remote(host.name(), host.address(), host.port(), host.user(), host.roots(), fingerprint(host));
    }

    private static String fingerprint(RemoteHost host) {
      try {
        return HostKeyCheck.fingerprint(host);
      } catch (java.io.IOException e) {
        return e.getMessage(); // the config check let an unusable line through: say so where it is shown
      }
    }
  }

  /** df HOST:PATH */
  public static final class Df extends AdminCommand<Df.Space> {

    /** What df said of a path: {@code source} names how it was measured. */
    public record Space(long totalBytes, long availableBytes, double percentFree, String source) {}

    private final Jobs jobs;

    Df(Jobs jobs) {
      super(Syntax.reads("df", "df <host>:<absolute path>", 1));
      this.jobs = jobs;
    }

    @Override
    public AdminResponse<Space> run(AdminRequest request) throws Exception {
      try {
        FreeSpace space = jobs.freeSpace(request.args().positional(0));
        return AdminResponse.ok(request.args().positional(0) + ": " + space + "\n", new Space(space.totalBytes(),
            space.availableBytes(), space.percentFree(), space.source()));
      } catch (JobRefusedException e) {
        throw refused(e);
      }
    }
  }
}
