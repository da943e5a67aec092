package dev.ferry.server.console;

import dev.ferry.jobs.admin.SessionView;
import dev.ferry.jobs.admin.TransferView;
import dev.ferry.jobs.engine.JobRecord;
import dev.ferry.jobs.engine.JobState;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The pages other than jobs: sign-in, dashboard, the transfer form, hosts and sessions. */
final class ConsolePages {

  private ConsolePages() {}

  static String login(String error) {
    return Layout.page("Sign in", null, (error == null ? "" : Layout.notice("error", error))
        + "<form id=\"login\" class=\"card\" method=\"post\" action=\"/console/login\">"
        + "<label>User <input name=\"user\" id=\"user\" autocomplete=\"username\" required autofocus></label>"
        + "<label>Password <input name=\"password\" id=\"password\" type=\"password\" "
        + "autocomplete=\"current-password\" required></label>"
        + "<button type=\"submit\" id=\"sign-in\">Sign in</button></form>");
  }

  static String dashboard(ConsoleSession session, Map<JobState, Long> jobs, int hosts, List<SessionView> sessions,
      String liveTransfers) {
    Map<String, Integer> byProtocol = new TreeMap<>();
    List<SessionView> here = sessions.stream().filter(s -> s.node().equals(session.node())).toList();
    here.forEach(s -> byProtocol.merge(s.protocol(), 1, Integer::sum));
    StringBuilder protocols = new StringBuilder("<table id=\"sessions-by-protocol\" class=\"counts\">");
    byProtocol.forEach((protocol, count) -> protocols.append("<tr><th>").append(Html.text(protocol))
        .append("</th><td>").append(count).append("</td></tr>"));
    protocols.append("</table>");
    return Layout.page("Dashboard", session, "<section class=\"cards\">"
        + "<div class=\"card\"><h2>Jobs by state</h2>" + jobCounts(jobs) + "</div>"
        + "<div class=\"card\"><h2>Sessions on this node</h2>" + protocols
        + "<p><a href=\"/console/sessions\">" + here.size() + " logged in</a></p></div>"
        + "<div class=\"card\"><h2>Transfers on this node</h2>" + liveTransfers + "</div>"
        + "<div class=\"card\"><h2>Remote hosts</h2><p><a href=\"/console/hosts\">" + hosts
        + " configured</a></p><p><a href=\"/console/transfer\">Start a transfer</a></p></div></section>");
  }

  /** The counts by state; polled, so the dashboard follows the jobs. */
  static String jobCounts(Map<JobState, Long> counts) {
    StringBuilder html = new StringBuilder("<table id=\"job-counts\" class=\"counts\" hx-get=\"/console/dashboard/jobs\" "
        + "hx-trigger=\"every 2s\" hx-swap=\"outerHTML\">");
    for (JobState state : JobState.values()) {
      String slug = JobViews.slug(state);
      html.append("<tr><th><a href=\"/console/jobs?state=").append(slug).append("\">").append(slug)
          .append("</a></th><td id=\"count-").append(slug).append("\">").append(counts.getOrDefault(state, 0L))
          .append("</td></tr>");
    }
    return html.append("</table>").toString();
  }

  /** The form's fields, as last submitted (empty at first), so a refused form keeps what was typed. */
  record TransferForm(String source, String host, String path, String parts, String mode, String freeSpace,
      boolean overwrite, boolean push) {
    static final TransferForm EMPTY = new TransferForm("", "", "", "", "direct", "", false, false);
  }

  static String transfer(ConsoleSession session, List<HostView> hosts, TransferForm form, String error) {
    StringBuilder html = new StringBuilder(error == null ? "" : Layout.notice("error", error));
    html.append("<form id=\"transfer\" class=\"card\" method=\"post\" action=\"/console/transfer\">")
        .append(Layout.csrfField(session))
        .append("<label>Source ").append(sourceField(form.source())).append("</label>").append(browser("source"))
        .append("<label>Host <select name=\"host\" id=\"host\">");
    for (HostView host : hosts) {
      // The option says "not reachable" and keeps why for its tooltip: a df error ("host key of remote
      // ... does not match ...") as option text made the select, and the form, 1,600 px wide.
      html.append("<option").append(host.name().equals(form.host()) ? " selected" : "").append(" value=\"")
          .append(Html.text(host.name())).append("\" data-reachable=\"").append(host.reachable())
          .append("\" title=\"").append(Html.text(host.spaceText())).append("\">")
          .append(Html.text(host.name() + " \u2014 " + host.pickerText())).append("</option>");
    }
    html.append("</select></label><label>Path on the host <input name=\"path\" id=\"path\" required ")
        .append("placeholder=\"/data/in/file.bin\" value=\"").append(Html.text(form.path())).append("\"></label>")
        .append("<label>Parts <input name=\"parts\" id=\"parts\" inputmode=\"numeric\" placeholder=\"default\" value=\"")
        .append(Html.text(form.parts())).append("\"></label><label>Mode <select name=\"mode\" id=\"mode\">")
        .append(option("direct", form.mode())).append(option("relay", form.mode())).append("</select></label>")
        .append("<label>Free space needed (%) <input name=\"free-space\" id=\"free-space\" inputmode=\"decimal\" ")
        .append("placeholder=\"not checked\" value=\"").append(Html.text(form.freeSpace())).append("\"></label>")
        .append("<label class=\"check\"><input type=\"checkbox\" name=\"overwrite\" id=\"overwrite\" value=\"on\"")
        .append(form.overwrite() ? " checked" : "").append("> Overwrite an existing file</label>")
        .append("<label class=\"check\"><input type=\"checkbox\" name=\"push\" id=\"push\" value=\"on\"")
        .append(form.push() ? " checked" : "").append("> Push every object under the source (a prefix) into the path ")
        .append("(a directory), keeping their relative paths</label>")
        .append("<button type=\"submit\" id=\"start\">Start transfer</button></form>");
    return Layout.page("New transfer", session, html.toString());
  }

  static String sync(ConsoleSession session, List<String> syncs, List<String> hosts, SyncPage.Form form, String error) {
    StringBuilder html = new StringBuilder(error == null ? "" : Layout.notice("error", error));
    html.append("<form id=\"sync\" class=\"card\" method=\"post\" action=\"/console/sync\">")
        .append(Layout.csrfField(session)).append("<label>Configured sync <select name=\"sync\" id=\"sync-name\">")
        .append("<option value=\"\"").append(form.sync().isEmpty() ? " selected" : "")
        .append(">none: a one-off sync, below</option>");
    for (String sync : syncs) {
      html.append("<option").append(sync.equals(form.sync()) ? " selected" : "").append(" value=\"")
          .append(Html.text(sync)).append("\">").append(Html.text(sync)).append("</option>");
    }
    html.append("</select></label><fieldset><legend>One-off sync</legend><label>Host <select name=\"host\" ")
        .append("id=\"sync-host\">");
    for (String host : hosts) {
      html.append("<option").append(host.equals(form.host()) ? " selected" : "").append(" value=\"")
          .append(Html.text(host)).append("\">").append(Html.text(host)).append("</option>");
    }
    html.append("</select></label><label>Folder on the host <input name=\"dir\" id=\"sync-dir\" ")
        .append("placeholder=\"/data/out\" value=\"").append(Html.text(form.dir())).append("\"></label>")
        .append("<label>Into ").append(targetField(form.target())).append("</label>").append(browser("target"))
        .append("</fieldset>")
        .append("<label class=\"check\"><input type=\"checkbox\" name=\"full\" id=\"full\" value=\"on\"")
        .append(form.full() ? " checked" : "").append("> Full run (compare every file, not only the changed ones)</label>")
        .append("<button type=\"submit\" id=\"start-sync\">Start sync</button></form>");
    return Layout.page("New sync", session, html.toString());
  }

  /** The transfer form's source field; also what a pick in the S3 browser swaps in. */
  static String sourceField(String value) {
    return "<input name=\"source\" id=\"source\" required placeholder=\"s3://bucket/key\" value=\"" + Html.text(value)
        + "\">";
  }

  /** The sync form's S3 target field; also what a pick in the S3 browser swaps in. */
  static String targetField(String value) {
    return "<input name=\"target\" id=\"target\" placeholder=\"s3://bucket/prefix/\" value=\"" + Html.text(value)
        + "\">";
  }

  /** The button that opens the S3 browser at what {@code field} holds, and where it opens. */
  private static String browser(String field) {
    return "<div class=\"browse-s3\"><button type=\"button\" id=\"browse-" + field + "\" class=\"secondary\" "
        + "hx-get=\"/console/browse?field=" + field + "\" hx-include=\"#" + field + "\" hx-target=\"#browser-" + field
        + "\">Browse S3</button><div id=\"browser-" + field + "\"></div></div>";
  }

  private static String option(String value, String selected) {
    return "<option" + (value.equals(selected) ? " selected" : "") + " value=\"" + value + "\">" + value + "</option>";
  }

  /** One configured host and what {@code df} said of each of its roots. */
  record HostView(String name, String login, String hostKey, List<RootSpace> roots) {

    /** Whether every root answered. */
    boolean reachable() {
      return roots.stream().allMatch(r -> r.error() == null);
    }

    /** For the host picker's option: the free space of each root, or "not reachable" (the reason is its tooltip). */
    String pickerText() {
      return reachable() ? spaceText() : "not reachable";
    }

    /** The free space of each root, or why it is not known. */
    String spaceText() {
      return String.join("; ", roots.stream().map(r -> (roots.size() > 1 ? r.root() + ": " : "")
          + (r.error() == null ? r.free() : r.error())).toList());
    }
  }

  /** {@code free}: the df text when the host answered, else null and {@code error} says why. */
  record RootSpace(String root, String free, String error) {}

  static String hosts(ConsoleSession session, List<HostView> hosts) {
    StringBuilder html = new StringBuilder("<table class=\"hosts\"><thead><tr><th>Host</th><th>Login</th>")
        .append("<th>Host key</th><th>Root</th><th>Reachable</th><th>Free space</th></tr></thead><tbody>");
    if (hosts.isEmpty()) {
      html.append("<tr><td colspan=\"6\">no remotes configured</td></tr>");
    }
    for (HostView host : hosts) {
      for (RootSpace root : host.roots()) {
        html.append("<tr class=\"host\" data-host=\"").append(Html.text(host.name())).append("\"><td>")
            .append(Html.text(host.name())).append("</td><td>").append(Html.text(host.login())).append("</td><td><code>")
            .append(Html.text(host.hostKey())).append("</code></td><td>").append(Html.text(root.root()))
            .append("</td><td class=\"").append(root.error() == null ? "ok\">yes" : "error\">no")
            .append("</td><td class=\"free\">").append(Html.text(root.error() == null ? root.free() : root.error()))
            .append("</td></tr>");
      }
    }
    return Layout.page("Hosts", session, html.append("</tbody></table>").toString());
  }

  /**
   * The sessions logged in on this node and (nodes sharing the store) the others, each with its
   * node, the file it is transferring now and a button that disconnects it (another node's session
   * by that node). The rows are polled, so a transfer's bytes move without a reload.
   */
  static String sessions(ConsoleSession session, List<SessionView> sessions) {
    return Layout.page("Sessions", session, "<table class=\"sessions\"><thead><tr><th>Node</th><th>Session</th>"
        + "<th>Protocol</th>"
        + "<th>User</th><th>Address</th><th>Transferring now</th><th></th></tr></thead>" + sessionRows(session, sessions)
        + "</table>");
  }

  static String sessionRows(ConsoleSession session, List<SessionView> sessions) {
    StringBuilder html = new StringBuilder("<tbody id=\"session-rows\" hx-get=\"/console/sessions/rows\" ")
        .append("hx-trigger=\"every 2s\" hx-swap=\"outerHTML\">");
    for (SessionView s : sessions) {
      html.append("<tr class=\"session\" data-user=\"").append(Html.text(s.user())).append("\" data-protocol=\"")
          .append(Html.text(s.protocol())).append("\" data-session=\"").append(Html.text(s.id()))
          .append("\" data-node=\"").append(Html.text(s.node())).append("\"><td class=\"node\">")
          .append(Html.text(s.node())).append("</td><td>").append(Html.text(s.id())).append("</td><td>").append(Html.text(s.protocol())).append("</td><td>")
          .append(Html.text(s.user())).append("</td><td>").append(Html.text(s.address()))
          .append("</td><td class=\"transfers\">");
      for (TransferView t : s.transfers()) {
        html.append("<div class=\"transfer\" data-direction=\"").append(Html.text(t.direction()))
            .append("\" data-path=\"").append(Html.text(t.path())).append("\" data-bytes=\"").append(t.bytes())
            .append("\">").append(t.direction().equals("upload") ? "&uarr; " : "&darr; ").append(Html.text(t.path()))
            .append(" &middot; ").append(JobProgress.size(t.bytes())).append("</div>");
      }
      html.append("</td><td><form method=\"post\" action=\"/console/sessions/disconnect\">")
          .append(Layout.csrfField(session)).append("<input type=\"hidden\" name=\"session\" value=\"")
          .append(Html.text(s.id())).append("\"><button type=\"submit\" class=\"danger\">Disconnect</button></form>")
          .append("</td></tr>");
    }
    if (sessions.isEmpty()) {
      html.append("<tr><td colspan=\"7\">no sessions</td></tr>");
    }
    return html.append("</tbody>").toString();
  }

  static String problem(ConsoleSession session, String title, String message) {
    return Layout.page(title, session, Layout.notice("error", message));
  }
}
