package dev.ferry.server.console;

import dev.ferry.core.admin.AdminResponse;
import dev.ferry.jobs.admin.AdminCommandRegistry;
import dev.ferry.jobs.admin.AdminCommands;
import dev.ferry.jobs.admin.SyncCommands;
import dev.ferry.jobs.engine.JobRecord;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Start a sync from a form: a configured one by name, or a one-off (a host's absolute folder into
 * {@code s3://bucket/prefix/}), incremental or full. The form builds the words of the {@code sync run}
 * command and runs it as the signed-in user, so it is checked and audited as over SSH or the API;
 * an accepted run opens its job's page, a refused one shows why and keeps what was typed.
 */
final class SyncPage {

  /** The form's fields as last submitted. {@code sync}: a configured sync's name, or "" for a one-off. */
  record Form(String sync, String host, String dir, String target, boolean full) {
    static final Form EMPTY = new Form("", "", "", "", false);

    static Form of(Map<String, List<String>> fields) {
      return new Form(Console.first(fields, "sync"), Console.first(fields, "host"), Console.first(fields, "dir"),
          Console.first(fields, "target"), !Console.first(fields, "full").isEmpty());
    }

    /** The words of {@code sync run}: by name, or the one-off's source and target. */
    List<String> words() {
      List<String> words = new ArrayList<>(List.of("run"));
      if (sync.isEmpty()) {
        words.add(host + ":" + dir);
        words.add(target);
      } else {
        words.add(sync);
      }
      if (full) {
        words.add("--full");
      }
      return words;
    }
  }

  private final AdminCommandRegistry commands;

  SyncPage(AdminCommandRegistry commands) {
    this.commands = commands;
  }

  FullHttpResponse form(ConsoleSession session, Form form, String error, HttpResponseStatus status) {
    AdminResponse<List<SyncCommands.ListSyncs.Sync>> syncs = Console.run(commands, session,
        SyncCommands.ListSyncs.class, List.of());
    AdminResponse<List<AdminCommands.Hosts.Remote>> hosts = Console.run(commands, session, AdminCommands.Hosts.class,
        List.of());
    // None of either when the command is refused: the form still offers a one-off sync.
    return ConsoleReplies.html(status, ConsolePages.sync(session,
        syncs.ok() ? syncs.data().stream().map(SyncCommands.ListSyncs.Sync::name).toList() : List.of(),
        hosts.ok() ? hosts.data().stream().map(AdminCommands.Hosts.Remote::name).toList() : List.of(), form, error));
  }

  FullHttpResponse start(ConsoleSession session, Map<String, List<String>> fields) {
    Form form = Form.of(fields);
    // Values, never options: a field that starts with "-" would otherwise be read as one.
    for (String value : List.of(form.sync(), form.host(), form.dir(), form.target())) {
      if (value.startsWith("-")) {
        return form(session, form, "'" + value + "' is not a valid value", HttpResponseStatus.BAD_REQUEST);
      }
    }
    if (form.sync().isEmpty() && (form.host().isEmpty() || form.dir().isEmpty() || form.target().isEmpty())) {
      return form(session, form, "choose a configured sync, or give a host, its folder and an S3 target for a "
          + "one-off sync", HttpResponseStatus.BAD_REQUEST);
    }
    AdminResponse<JobRecord> response = Console.run(commands, session, SyncCommands.RunSync.class, form.words());
    if (!response.ok()) {
      return form(session, form, response.text().strip(), HttpResponseStatus.valueOf(response.status().httpStatus()));
    }
    return ConsoleReplies.redirect("/console/jobs/" + response.data().id());
  }
}
