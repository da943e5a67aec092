package dev.ferry.server.console;

import dev.ferry.jobs.admin.AdminCommands;
import dev.ferry.jobs.engine.JobRecord;
import dev.ferry.jobs.engine.JobState;
import dev.ferry.jobs.transfer.TransferSpec;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * Jobs as HTML: the list with its state filter, its rows (the fragment the list polls), a job's
 * page and its progress (the fragment that page polls until the job has ended).
 */
final class JobViews {

  /** How often a list or a running job's page asks for its fragment again. */
  static final String POLL = "every 1s";

  private JobViews() {}

  /**
   * One page of jobs, newest first: those older than job {@code before} when it is not empty, with
   * a link to the next older page when this one is full and back to the newest when it is not the first.
   */
  static String list(JobState filter, String before, List<JobRecord> jobs, Instant now) {
    StringBuilder html = new StringBuilder("<nav class=\"filters\">");
    html.append(filterLink(null, filter));
    for (JobState state : JobState.values()) {
      html.append(filterLink(state, filter));
    }
    String page = "?" + (filter == null ? "" : "state=" + slug(filter) + "&");
    String rowsUrl = "/console/jobs/rows" + page + (before.isEmpty() ? "" : "before=" + Html.url(before));
    html.append("</nav><table class=\"jobs\"><thead><tr><th>Job</th><th>State</th><th>Source and destination</th>")
        .append("<th>Progress</th><th>Attempts</th><th>Error</th></tr></thead>")
        .append("<tbody id=\"job-rows\" hx-get=\"").append(Html.text(rowsUrl)).append("\" hx-trigger=\"").append(POLL)
        .append("\">").append(rows(jobs, now)).append("</tbody></table><nav class=\"pages\">");
    if (!before.isEmpty()) {
      html.append("<a id=\"newest-jobs\" href=\"/console/jobs").append(Html.text(page)).append("\">newest</a> ");
    }
    if (jobs.size() == AdminCommands.JOBS_PAGE) {
      html.append("<a id=\"older-jobs\" href=\"/console/jobs").append(Html.text(page)).append("before=")
          .append(Html.text(Html.url(jobs.get(jobs.size() - 1).id()))).append("\">older</a>");
    }
    return html.append("</nav>").toString();
  }

  private static String filterLink(JobState state, JobState current) {
    String label = state == null ? "all" : slug(state);
    return "<a" + (state == current ? " class=\"current\"" : "") + " href=\"/console/jobs"
        + (state == null ? "" : "?state=" + label) + "\">" + label + "</a>";
  }

  static String rows(List<JobRecord> jobs, Instant now) {
    if (jobs.isEmpty()) {
      return "<tr class=\"empty\"><td colspan=\"6\">no jobs</td></tr>";
    }
    StringBuilder html = new StringBuilder();
    for (JobRecord job : jobs) {
      html.append("<tr id=\"job-").append(Html.text(job.id())).append("\" data-state=\"").append(job.state())
          .append("\"><td><a href=\"/console/jobs/").append(Html.url(job.id())).append("\">")
          .append(Html.text(job.id())).append("</a></td><td>").append(state(job.state())).append("</td><td>")
          .append(Html.text(job.spec().source())).append("<br>&rarr; ").append(Html.text(job.spec().destination()))
          .append("</td><td>").append(progress(job, now)).append("</td><td>").append(job.attempts())
          .append("</td><td class=\"error\">").append(job.lastError() == null ? "" : Html.text(job.lastError()))
          .append("</td></tr>");
    }
    return html.toString();
  }

  /** A job's page: its facts, the polled progress, and a cancel button while it can still be cancelled. */
  static String detail(JobRecord job, ConsoleSession session, Instant now) {
    StringBuilder html = new StringBuilder(progressFragment(job, now));
    html.append("<dl class=\"facts\">");
    fact(html, "Source", job.spec().source());
    fact(html, "Destination", job.spec().destination());
    if (job.spec() instanceof TransferSpec transfer) {
      fact(html, "Mode", transfer.mode().name().toLowerCase(Locale.ROOT) + ", " + transfer.parts() + " part(s)"
          + (transfer.overwrite() ? ", overwrite" : ""));
      fact(html, "Free space", transfer.freeSpacePercent() > 0 ? "needs more than " + transfer.freeSpacePercent()
          + "% free" + (job.lastFreeSpace() == null ? "" : ", last measured " + job.lastFreeSpace()) : "not checked");
    }
    fact(html, "Created", job.created());
    if (job.node() != null) {
      fact(html, "Node", job.node());
    }
    html.append("</dl>");
    if (!job.state().isFinal()) {
      html.append("<form id=\"cancel-form\" method=\"post\" action=\"/console/jobs/").append(Html.url(job.id()))
          .append("/cancel\">").append(Layout.csrfField(session))
          .append("<button type=\"submit\" id=\"cancel\" class=\"danger\">Cancel this job</button></form>");
    }
    return html.toString();
  }

  /**
   * State, progress, attempts and error; it asks for itself again every second until the job has
   * ended, then the final one (without the trigger) replaces it, the polling stops and the cancel
   * button goes.
   */
  static String progressFragment(JobRecord job, Instant now) {
    StringBuilder html = new StringBuilder("<section id=\"job-progress\" data-state=\"").append(job.state())
        .append('"');
    if (!job.state().isFinal()) {
      html.append(" hx-get=\"/console/jobs/").append(Html.url(job.id())).append("/progress\" hx-trigger=\"")
          .append(POLL).append("\" hx-swap=\"outerHTML\"");
    }
    html.append("><p>").append(state(job.state())).append("</p>").append(progress(job, now))
        .append("<p>Attempts: <span id=\"attempts\">").append(job.attempts()).append("</span>");
    if (job.started() != null) {
      html.append(" · started ").append(Html.text(job.started()));
    }
    if (job.finished() != null) {
      html.append(" · finished ").append(Html.text(job.finished()));
    }
    html.append("</p>");
    if (job.lastError() != null) {
      html.append("<p class=\"error\" id=\"last-error\">").append(Html.text(job.lastError())).append("</p>");
    }
    html.append("</section>");
    if (job.state().isFinal()) {
      // Out of band: the page's cancel button goes with the last poll (htmx swaps it for this).
      html.append("<div id=\"cancel-form\" hx-swap-oob=\"true\"></div>");
    }
    return html.toString();
  }

  private static String progress(JobRecord job, Instant now) {
    JobProgress p = JobProgress.of(job, now);
    return "<div class=\"progress\"><progress max=\"" + Math.max(1, p.size()) + "\" value=\"" + p.bytesDone()
        + "\"></progress> <span class=\"bytes\">" + p.bytes() + "</span>"
        // Syncs and batches move files, not parts: no "0/0 parts" for them.
        + (p.partsTotal() == 0 ? "" : " · <span class=\"parts\">" + p.parts() + "</span>")
        + (p.rate().isEmpty() ? "" : " · <span class=\"rate\">" + p.rate() + "</span> · <span class=\"eta\">"
        + p.eta() + "</span>") + "</div>";
  }

  private static String state(JobState state) {
    return "<span class=\"state state-" + slug(state) + "\">" + state + "</span>";
  }

  private static void fact(StringBuilder html, String name, String value) {
    html.append("<dt>").append(name).append("</dt><dd>").append(Html.text(value)).append("</dd>");
  }

  static String slug(JobState state) {
    return state.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
