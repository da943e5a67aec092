package dev.ferry.server.console;

import dev.ferry.core.admin.AdminConsole;
import dev.ferry.core.admin.AdminResponse;
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

  private final AdminConsole commands;

  SyncPage(AdminConsole commands) {
    this.commands = commands;
  }

  FullHttpResponse form(ConsoleSession session, Form form, String error, HttpResponseStatus status) {
    return ConsoleReplies.html(status, ConsolePages.sync(session, names(session, "syncs"), names(session, "hosts"), form, error));
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
    AdminResponse response = Console.run(commands, session, "sync", form.words());
    if (!response.ok()) {
      return form(session, form, response.text().strip(), HttpResponseStatus.valueOf(response.status().httpStatus()));
    }
    return ConsoleReplies.redirect("/console/jobs/" + ((JobRecord) response.data()).id());
  }

  /** The names a listing command gives (configured syncs, remote hosts); none when it is refused. */
  private List<String> names(ConsoleSession session, String command) {
    AdminResponse response = Console.run(commands, session, command, List.of());
    List<String> names = new ArrayList<>();
    if (response.ok() && response.data() instanceof List<?> items) {
      items.forEach(item -> names.add(String.valueOf(((Map<?, ?>) item).get("name"))));
    }
    return names;
  }
}
