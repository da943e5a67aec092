package dev.ferry.server.console;

import dev.ferry.core.admin.AdminResponse;
import dev.ferry.jobs.admin.AdminCommandRegistry;
import dev.ferry.jobs.admin.AdminCommands;
import dev.ferry.jobs.admin.JobList;
import dev.ferry.jobs.admin.ListTransfers;
import dev.ferry.jobs.admin.SessionCommands;
import dev.ferry.jobs.admin.SessionView;
import dev.ferry.jobs.engine.JobRecord;
import dev.ferry.jobs.engine.JobState;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The signed-in pages and their actions (a POST here has passed the CSRF check). Each one is an
 * admin command run as the user: jobs, job, cancel, transfer, push, hosts, df, sessions,
 * disconnect, transfers, sync, syncs, ls, users, user add|set|delete|key|disable|enable; a refused command shows its message with the
 * HTTP status the API would give.
 */
final class ConsoleRoutes {

  private static final Pattern JOB = Pattern.compile("/console/jobs/([A-Za-z0-9_-]{1,64})(/progress|/cancel)?");

  /** How long a page waits for a host's df before it shows the host as unreachable. */
  static final Duration DF_PATIENCE = Duration.ofSeconds(3);

  private final AdminCommandRegistry commands;
  private final Clock clock;
  private final HostsPage hosts;
  private final SyncPage sync;
  private final S3Browser browser;
  private final UsersPage users;

  ConsoleRoutes(AdminCommandRegistry commands, Clock clock) {
    this.commands = commands;
    this.clock = clock;
    this.hosts = new HostsPage(commands, new FreeSpaceProbe(commands, DF_PATIENCE));
    this.sync = new SyncPage(commands);
    this.browser = new S3Browser(commands);
    this.users = new UsersPage(commands);
  }

  FullHttpResponse route(ConsoleSession session, boolean post, String path, Map<String, List<String>> query,
      Map<String, List<String>> form) {
    String route = (post ? "POST " : "GET ") + path;
    return switch (route) {
      case "GET /console/" -> dashboard(session);
      case "GET /console/dashboard/jobs" -> jobCounts(session, counts -> ok(ConsolePages.jobCounts(counts)));
      case "GET /console/dashboard/transfers" -> ok(ConsolePages.liveTransfers(liveTransfers(session)));
      case "GET /console/jobs" -> jobList(session, query, false);
      case "GET /console/jobs/rows" -> jobList(session, query, true);
      case "GET /console/transfer" -> transferForm(session, ConsolePages.TransferForm.EMPTY, null, HttpResponseStatus.OK);
      case "POST /console/transfer" -> transfer(session, form);
      case "GET /console/browse" -> browser.browse(session, query);
      case "GET /console/browse/pick" -> browser.pick(query);
      case "GET /console/sync" -> sync.form(session, SyncPage.Form.EMPTY, null, HttpResponseStatus.OK);
      case "POST /console/sync" -> sync.start(session, form);
      case "GET /console/hosts" -> interruptible(session, "Hosts", () -> hosts.render(session));
      case "GET /console/sessions" -> ok(ConsolePages.sessions(session, loggedIn(session)));
      case "GET /console/sessions/rows" -> ok(ConsolePages.sessionRows(session, loggedIn(session)));
      case "POST /console/sessions/disconnect" -> disconnect(session, Console.first(form, "session"));
      case "GET /console/users" -> users.list(session);
      case "GET /console/users/edit" -> users.edit(session, Console.first(query, "user"));
      case "POST /console/users/add" -> users.add(session, form);
      case "POST /console/users/set" -> users.set(session, form);
      case "POST /console/users/password" -> users.newPassword(session, form);
      case "POST /console/users/key/add" -> users.addKey(session, form);
      case "POST /console/users/key/remove" -> users.removeKey(session, form);
      case "POST /console/users/delete" -> users.delete(session, form);
      case "POST /console/users/disable" -> users.switchUser(session, "disable", form);
      case "POST /console/users/enable" -> users.switchUser(session, "enable", form);
      default -> jobOrNotFound(session, post, path);
    };
  }

  /** After the fixed routes, so that /console/jobs/rows is not read as the job "rows". */
  private FullHttpResponse jobOrNotFound(ConsoleSession session, boolean post, String path) {
    Matcher job = JOB.matcher(path);
    if (job.matches()) {
      return job(session, post, job.group(1), job.group(2) == null ? "" : job.group(2));
    }
    return ConsoleReplies.html(HttpResponseStatus.NOT_FOUND, ConsolePages.problem(session, "Not found",
        "no such page " + path));
  }

  private FullHttpResponse dashboard(ConsoleSession session) {
    AdminResponse<List<AdminCommands.Hosts.Remote>> remotes = Console.run(commands, session,
        AdminCommands.Hosts.class, List.of());
    int hosts = remotes.ok() ? remotes.data().size() : 0;
    List<SessionView> sessions = loggedIn(session);
    LiveTransfersView live = liveTransfers(session);
    return jobCounts(session, counts -> ok(ConsolePages.dashboard(session, counts, hosts, sessions, live)));
  }

  /** How many jobs are in each state ({@code jobs --counts}): one query, however many jobs are stored. */
  private FullHttpResponse jobCounts(ConsoleSession session,
      java.util.function.Function<Map<JobState, Long>, FullHttpResponse> render) {
    AdminResponse<JobList> response = Console.run(commands, session, AdminCommands.ListJobs.class,
        List.of("--counts"));
    return response.ok() ? render.apply(response.data().counts()) : refused(session, "Jobs", response);
  }

  /** Throughput now and the uploads in flight (the {@code transfers} command), or why they are not known. */
  private LiveTransfersView liveTransfers(ConsoleSession session) {
    AdminResponse<ListTransfers.Now> response = Console.run(commands, session, ListTransfers.class, List.of());
    return response.ok() ? LiveTransfersView.of(response.data()) : LiveTransfersView.refused(response.text());
  }

  private List<SessionView> loggedIn(ConsoleSession session) {
    AdminResponse<List<SessionView>> response = Console.run(commands, session, SessionCommands.ListSessions.class,
        List.of());
    return response.ok() ? response.data() : List.of();
  }

  private FullHttpResponse disconnect(ConsoleSession session, String id) {
    AdminResponse<?> response = Console.run(commands, session, SessionCommands.Disconnect.class, List.of(id));
    return response.ok() ? ConsoleReplies.redirect("/console/sessions") : refused(session, "Sessions", response);
  }

  private FullHttpResponse jobList(ConsoleSession session, Map<String, List<String>> query, boolean rowsOnly) {
    String filter = Console.first(query, "state");
    JobState state = filter.isEmpty() ? null : JobState.parse(filter);
    if (!filter.isEmpty() && state == null) {
      return ConsoleReplies.html(HttpResponseStatus.BAD_REQUEST, ConsolePages.problem(session, "Jobs",
          "unknown state '" + filter + "'"));
    }
    String before = Console.first(query, "before");
    return jobs(session, state, before, jobs -> ok(rowsOnly ? JobViews.rows(jobs, clock.instant())
        : JobViews.list(session, state, before, jobs, clock.instant())));
  }

  /** A page of jobs, newest first ({@code jobs}' default limit), older than job {@code before} when not empty. */
  private FullHttpResponse jobs(ConsoleSession session, JobState state, String before,
      java.util.function.Function<List<JobRecord>, FullHttpResponse> render) {
    List<String> args = new ArrayList<>();
    if (state != null) {
      args.add(JobViews.slug(state));
    }
    if (!before.isEmpty()) {
      args.add("--before");
      args.add(before);
    }
    AdminResponse<JobList> response = Console.run(commands, session, AdminCommands.ListJobs.class, args);
    return response.ok() ? render.apply(response.data().jobs()) : refused(session, "Jobs", response);
  }

  private FullHttpResponse job(ConsoleSession session, boolean post, String id, String action) {
    if (post != action.equals("/cancel")) {
      return ConsoleReplies.html(HttpResponseStatus.METHOD_NOT_ALLOWED, ConsolePages.problem(session, "Job " + id,
          "not allowed"));
    }
    if (post) {
      AdminResponse<JobRecord> cancelled = Console.run(commands, session, AdminCommands.Cancel.class, List.of(id));
      return cancelled.ok() ? ConsoleReplies.redirect("/console/jobs/" + id) : refused(session, "Job " + id, cancelled);
    }
    AdminResponse<JobRecord> response = Console.run(commands, session, AdminCommands.ShowJob.class, List.of(id));
    if (!response.ok()) {
      return refused(session, "Job " + id, response);
    }
    JobRecord record = response.data();
    return ok(action.equals("/progress") ? JobViews.progressFragment(record, clock.instant())
        : JobViews.detail(record, session, clock.instant()));
  }

  private FullHttpResponse transferForm(ConsoleSession session, ConsolePages.TransferForm form, String error,
      HttpResponseStatus status) {
    return interruptible(session, "New transfer", () -> ConsoleReplies.html(status,
        ConsolePages.transfer(session, hosts.choices(session), form, error)));
  }

  private FullHttpResponse transfer(ConsoleSession session, Map<String, List<String>> fields) {
    ConsolePages.TransferForm form = new ConsolePages.TransferForm(Console.first(fields, "source"),
        Console.first(fields, "host"), Console.first(fields, "path"), Console.first(fields, "parts"),
        Console.first(fields, "mode"), Console.first(fields, "free-space"), !Console.first(fields, "overwrite").isEmpty(),
        !Console.first(fields, "push").isEmpty());
    // Values, never options: a field that starts with "-" would otherwise be read as one.
    for (String value : List.of(form.source(), form.host(), form.parts(), form.mode(), form.freeSpace())) {
      if (value.startsWith("-")) {
        return transferForm(session, form, "'" + value + "' is not a valid value", HttpResponseStatus.BAD_REQUEST);
      }
    }
    List<String> words = new ArrayList<>(List.of(form.source(), form.host() + ":" + form.path()));
    option(words, "--parts", form.parts());
    option(words, "--mode", form.mode());
    option(words, "--free-space", form.freeSpace());
    if (form.overwrite()) {
      words.add("--overwrite");
    }
    // One job: its page; a push's several: the list.
    if (form.push()) {
      return started(session, form, Console.run(commands, session, AdminCommands.Push.class, words),
          jobs -> "/console/jobs");
    }
    return started(session, form, Console.run(commands, session, AdminCommands.Transfer.class, words),
        job -> "/console/jobs/" + job.id());
  }

  /** Where an accepted transfer or push goes; a refused one shows the form again, as typed, with why. */
  private <T> FullHttpResponse started(ConsoleSession session, ConsolePages.TransferForm form,
      AdminResponse<T> response, java.util.function.Function<T, String> then) {
    if (!response.ok()) {
      return transferForm(session, form, response.text(), HttpResponseStatus.valueOf(response.status().httpStatus()));
    }
    return ConsoleReplies.redirect(then.apply(response.data()));
  }

  /** A page that waits for remote hosts: a request interrupted meanwhile (the server stopping) gets 503. */
  private interface Waiting {
    FullHttpResponse render() throws InterruptedException;
  }

  private static FullHttpResponse interruptible(ConsoleSession session, String title, Waiting page) {
    try {
      return page.render();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return ConsoleReplies.html(HttpResponseStatus.SERVICE_UNAVAILABLE, ConsolePages.problem(session, title,
          "interrupted while asking the hosts; try again"));
    }
  }

  private static void option(List<String> words, String name, String value) {
    if (!value.isEmpty()) {
      words.add(name);
      words.add(value);
    }
  }

  static FullHttpResponse refused(ConsoleSession session, String title, AdminResponse<?> response) {
    return ConsoleReplies.html(HttpResponseStatus.valueOf(response.status().httpStatus()),
        ConsolePages.problem(session, title, response.text()));
  }

  private static FullHttpResponse ok(String html) {
    return ConsoleReplies.html(HttpResponseStatus.OK, html);
  }
}
