package dev.ferry.server.console;

import dev.ferry.jobs.admin.SessionView;
import dev.ferry.jobs.engine.JobState;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The pages other than jobs, users and the S3 browser: sign-in, dashboard, the transfer and sync
 * forms, hosts and sessions; each a template of the same name, given its view model.
 */
final class ConsolePages {

  private ConsolePages() {}

  /** {@code error}: why the last sign-in was refused, or null. */
  static String login(String error) {
    return ConsoleTemplates.render("login", Map.of("error", error == null ? "" : error));
  }

  static String dashboard(ConsoleSession session, Map<JobState, Long> jobs, int hosts, List<SessionView> sessions,
      LiveTransfersView live) {
    Map<String, Integer> byProtocol = new TreeMap<>();
    List<SessionView> here = sessions.stream().filter(s -> s.node().equals(session.node())).toList();
    here.forEach(s -> byProtocol.merge(s.protocol(), 1, Integer::sum));
    return ConsoleTemplates.render("dashboard", Map.of("session", session, "jobs", jobs, "protocols", byProtocol,
        "sessionsHere", here.size(), "live", live, "hosts", hosts));
  }

  /** The counts by state; polled, so the dashboard follows the jobs. */
  static String jobCounts(Map<JobState, Long> counts) {
    return ConsoleTemplates.render("jobCounts", Map.of("counts", counts));
  }

  static String liveTransfers(LiveTransfersView live) {
    return ConsoleTemplates.render("liveTransfers", Map.of("live", live));
  }

  /** The form's fields, as last submitted (empty at first), so a refused form keeps what was typed. */
  record TransferForm(String source, String host, String path, String parts, String mode, String freeSpace,
      boolean overwrite, boolean push) {
    static final TransferForm EMPTY = new TransferForm("", "", "", "", "direct", "", false, false);
  }

  /** {@code error}: why the last submission was refused, or null. */
  static String transfer(ConsoleSession session, List<HostView> hosts, TransferForm form, String error) {
    return ConsoleTemplates.render("transfer", Map.of("session", session, "hosts", hosts, "form", form,
        "error", error == null ? "" : error));
  }

  static String sync(ConsoleSession session, List<String> syncs, List<String> hosts, SyncPage.Form form, String error) {
    return ConsoleTemplates.render("sync", Map.of("session", session, "syncs", syncs, "hosts", hosts, "form", form,
        "error", error == null ? "" : error));
  }

  /** A form's S3 field ("source" of a transfer, "target" of a sync): what a pick in the S3 browser swaps in. */
  static String s3Field(String field, String value) {
    return ConsoleTemplates.render("s3Field", Map.of("field", field, "value", value));
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
    return ConsoleTemplates.render("hosts", Map.of("session", session, "hosts", hosts));
  }

  /**
   * The sessions logged in on this node and (nodes sharing the store) the others, each with its
   * node, the file it is transferring now and a button that disconnects it (another node's session
   * by that node). The rows are polled, so a transfer's bytes move without a reload.
   */
  static String sessions(ConsoleSession session, List<SessionView> sessions) {
    return ConsoleTemplates.render("sessions", Map.of("session", session, "sessions", sessions));
  }

  static String sessionRows(ConsoleSession session, List<SessionView> sessions) {
    return ConsoleTemplates.render("sessionRows", Map.of("session", session, "sessions", sessions));
  }

  /** A message box (notice.jte): {@code kind} "error" or "info". */
  static String notice(String kind, String message) {
    return ConsoleTemplates.render("notice", Map.of("kind", kind, "message", message));
  }

  /** A page that says only why something did not happen; {@code session} null before sign-in. */
  static String problem(ConsoleSession session, String title, String message) {
    Map<String, Object> params = new HashMap<>(Map.of("title", title, "message", message));
    params.put("session", session); // may be null, which Map.of refuses
    return ConsoleTemplates.render("problem", params);
  }
}
