package dev.ferry.sftp.command;

import dev.ferry.core.admin.AdminCaller;
import dev.ferry.core.admin.AdminConsole;
import dev.ferry.core.admin.AdminException;
import dev.ferry.core.admin.AdminResponse;
import dev.ferry.core.admin.AdminStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * An admin command over SSH exec ({@code ssh -p 2222 admin@ferry jobs running}): the command line is
 * split into words (no shell runs), executed by the admin console on its own thread so the SSH I/O thread
 * never waits, answered as text on stdout (errors on stderr) or as JSON with {@code --json}, and the
 * exit status says how it ended.
 */
final class AdminExec extends ExecOnItsThread {

  private final AdminConsole console;
  private final AdminCaller caller;
  private final String commandLine;

  AdminExec(AdminConsole console, AdminCaller caller, String commandLine) {
    super("ferry-admin-exec");
    this.console = console;
    this.caller = caller;
    this.commandLine = commandLine;
  }

  @Override
  void run() {
    AdminResponse<?> response;
    boolean json = false;
    try {
      List<String> words = CommandWords.split(commandLine);
      json = words.contains("--json");
      if (words.isEmpty()) {
        response = AdminResponse.error(AdminStatus.BAD_REQUEST, "no command given (commands: " + String.join(", ",
            console.usages()) + ")");
      } else {
        response = console.execute(caller, words.get(0), words.subList(1, words.size()));
      }
    } catch (AdminException e) {
      response = AdminResponse.error(e.status(), e.getMessage());
    }
    try {
      if (json) {
        out.write((response.json() + "\n").getBytes(StandardCharsets.UTF_8));
      } else if (response.ok()) {
        out.write(response.text().getBytes(StandardCharsets.UTF_8));
      } else {
        err.write(("ferry: " + response.text() + "\n").getBytes(StandardCharsets.UTF_8));
      }
      out.flush();
      err.flush();
    } catch (IOException e) {
      // the client went away; nothing left to tell it
    }
    exit.onExit(response.status().exitStatus(), response.ok() ? "" : response.text());
  }
}
