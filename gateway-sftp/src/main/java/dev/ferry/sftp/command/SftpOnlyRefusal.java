package dev.ferry.sftp.command;

import dev.ferry.core.admin.AdminCaller;
import dev.ferry.core.admin.AdminConsole;
import dev.ferry.core.user.User;
import dev.ferry.sftp.auth.FerryUsers;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.apache.sshd.server.command.CommandFactory;
import org.apache.sshd.server.shell.ShellFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a shell or exec request gets: a message on stderr that this server offers SFTP only, and
 * exit status 1. The one place that decides about exec: with an admin console, exec runs admin
 * commands ({@link AdminExec}) for users with the admin role (the console's chain checks the role
 * again); everyone else gets the SFTP-only message, naming the role they lack.
 */
public final class SftpOnlyRefusal implements ShellFactory, CommandFactory {

  private static final Logger log = LoggerFactory.getLogger(SftpOnlyRefusal.class);
  public static final String MESSAGE = "This server offers SFTP only: shell and command execution are not available.";

  private final AdminConsole admin;

  /** SFTP only: every exec is refused. */
  public SftpOnlyRefusal() {
    this(null);
  }

  /** Exec runs admin commands from {@code admin} (null: refused like a shell). */
  public SftpOnlyRefusal(AdminConsole admin) {
    this.admin = admin;
  }

  @Override
  public Command createShell(ChannelSession channel) {
    log.info("SFTP-only server: refused a shell for {}", FerryUsers.of(channel.getSession()).name());
    return new Refusal(MESSAGE);
  }

  @Override
  public Command createCommand(ChannelSession channel, String command) {
    User user = FerryUsers.of(channel.getSession());
    if (admin != null && user.admin()) {
      return new AdminExec(admin, new AdminCaller(user.name(), true, "ssh"), command);
    }
    if (admin != null) {
      log.info("refused exec for {}: not an administrator", user.name());
      return new Refusal(MESSAGE + " Admin commands need the admin role, which user '" + user.name()
          + "' does not have.");
    }
    log.info("SFTP-only server: refused exec of '{}' for {}", command.length() > 80 ? command.substring(0, 80) + "..."
        : command, user.name());
    return new Refusal(MESSAGE);
  }

  /** Writes the message to stderr and exits 1 as soon as it starts. */
  private static final class Refusal implements Command {
    private final String message;
    private OutputStream err;
    private ExitCallback exit;

    Refusal(String message) {
      this.message = message;
    }

    @Override
    public void setExitCallback(ExitCallback callback) {
      this.exit = callback;
    }

    @Override
    public void setInputStream(java.io.InputStream in) {
      // nothing is read
    }

    @Override
    public void setOutputStream(OutputStream out) {
      // nothing is written to stdout
    }

    @Override
    public void setErrorStream(OutputStream err) {
      this.err = err;
    }

    @Override
    public void start(ChannelSession channel, Environment env) throws IOException {
      err.write((message + "\r\n").getBytes(StandardCharsets.UTF_8));
      err.flush();
      exit.onExit(1, message);
    }

    @Override
    public void destroy(ChannelSession channel) {
      // nothing to release
    }
  }
}
