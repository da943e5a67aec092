package dev.ferry.sftp.command;

import dev.ferry.core.admin.AdminCaller;
import dev.ferry.core.admin.AdminConsole;
import dev.ferry.core.admin.AdminException;
import dev.ferry.core.admin.AdminResponse;
import dev.ferry.core.admin.AdminStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;

/**
 * An admin command over SSH exec ({@code ssh -p 2222 admin@ferry jobs running}): the command line is
 * split into words (no shell runs), executed by the admin console on its own thread so the SSH I/O thread
 * never waits, answered as text on stdout (errors on stderr) or as JSON with {@code --json}, and the
 * exit status says how it ended.
 */
final class AdminExec implements Command {

  private final AdminConsole console;
  private final AdminCaller caller;
  private final String commandLine;
  private OutputStream out;
  private OutputStream err;
  private ExitCallback exit;

  AdminExec(AdminConsole console, AdminCaller caller, String commandLine) {
    this.console = console;
    this.caller = caller;
    this.commandLine = commandLine;
  }

  @Override
  public void setExitCallback(ExitCallback callback) {
    this.exit = callback;
  }

  @Override
  public void setInputStream(InputStream in) {
    // admin commands read no input
  }

  @Override
  public void setOutputStream(OutputStream out) {
    this.out = out;
  }

  @Override
  public void setErrorStream(OutputStream err) {
    this.err = err;
  }

  @Override
  public void start(ChannelSession channel, Environment env) {
    Thread thread = new Thread(this::run, "ferry-admin-exec");
    thread.setDaemon(true);
    thread.start();
  }

  private void run() {
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

  @Override
  public void destroy(ChannelSession channel) {
    // the command finishes on its own thread; its result has nowhere to go
  }
}
