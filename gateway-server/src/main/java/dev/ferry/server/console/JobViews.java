package dev.ferry.server.console;

import dev.ferry.jobs.admin.AdminCommands;
import dev.ferry.jobs.engine.JobRecord;
import dev.ferry.jobs.engine.JobState;
import dev.ferry.jobs.transfer.TransferSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Jobs as pages: the list with its state filter (jobList.jte), its rows (the fragment the list
 * polls), a job's page and its progress (the fragment that page polls until the job has ended).
 */
final class JobViews {

  /** How often a list or a running job's page asks for its fragment again. */
  static final String POLL = "every 1s";

  /** One link of the state filter. */
  record Filter(String label, String href, boolean current) {}

  /**
   * One page of the list: {@code newestUrl} back to the first page when this is not it, {@code
   * olderUrl} to the next older page when this one is full; each null when there is none.
   */
  record ListPage(String title, List<Filter> filters, String rowsUrl, List<JobRecord> jobs, Instant now,
      String newestUrl, String olderUrl) {}

  private JobViews() {}

  /**
   * One page of jobs, newest first: those older than job {@code before} when it is not empty, with
   * a link to the next older page when this one is full and back to the newest when it is not the first.
   */
  static String list(ConsoleSession session, JobState filter, String before, List<JobRecord> jobs, Instant now) {
    List<Filter> filters = new ArrayList<>();
    filters.add(new Filter("all", "/console/jobs", filter == null));
    for (JobState state : JobState.values()) {
      filters.add(new Filter(slug(state), "/console/jobs?state=" + slug(state), state == filter));
    }
    String page = "/console/jobs?" + (filter == null ? "" : "state=" + slug(filter) + "&");
    String rowsUrl = page.replace("/console/jobs?", "/console/jobs/rows?")
        + (before.isEmpty() ? "" : "before=" + Urls.encode(before));
    String newest = before.isEmpty() ? null : page;
    String older = jobs.size() == AdminCommands.JOBS_PAGE
        ? page + "before=" + Urls.encode(jobs.get(jobs.size() - 1).id()) : null;
    String title = filter == null ? "Jobs" : "Jobs: " + slug(filter);
    return ConsoleTemplates.render("jobList", Map.of("session", session, "page",
        new ListPage(title, filters, rowsUrl, jobs, now, newest, older)));
  }

  static String rows(List<JobRecord> jobs, Instant now) {
    return ConsoleTemplates.render("jobRows", Map.of("jobs", jobs, "now", now));
  }

  /** A job's page: its facts, the polled progress, and a cancel button while it can still be cancelled. */
  static String detail(JobRecord job, ConsoleSession session, Instant now) {
    Map<String, String> facts = new LinkedHashMap<>();
    facts.put("Source", job.spec().source());
    facts.put("Destination", job.spec().destination());
    if (job.spec() instanceof TransferSpec transfer) {
      facts.put("Mode", transfer.mode().name().toLowerCase(Locale.ROOT) + ", " + transfer.parts() + " part(s)"
          + (transfer.overwrite() ? ", overwrite" : ""));
      facts.put("Free space", transfer.freeSpacePercent() > 0 ? "needs more than " + transfer.freeSpacePercent()
          + "% free" + (job.lastFreeSpace() == null ? "" : ", last measured " + job.lastFreeSpace()) : "not checked");
    }
    facts.put("Created", job.created());
    if (job.node() != null) {
      facts.put("Node", job.node());
    }
    return ConsoleTemplates.render("jobDetail", Map.of("session", session, "job", job, "facts", facts, "now", now));
  }

  /**
   * State, progress, attempts and error; it asks for itself again every second until the job has
   * ended, then the final one (without the trigger) replaces it, the polling stops and the cancel
   * button goes.
   */
  static String progressFragment(JobRecord job, Instant now) {
    return ConsoleTemplates.render("jobProgress", Map.of("job", job, "now", now));
  }

  static String slug(JobState state) {
    return state.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
