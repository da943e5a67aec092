package dev.ferry.sftp.command;

import dev.ferry.core.Gateway;
import dev.ferry.core.admin.AdminCaller;
import dev.ferry.core.admin.AdminConsole;
import dev.ferry.core.admin.AdminException;
import dev.ferry.core.user.User;
import dev.ferry.core.vfs.ChecksumAlgorithm;
import dev.ferry.sftp.auth.FerryUsers;
import dev.ferry.sftp.auth.SshSessionSlots;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.apache.sshd.server.command.CommandFactory;
import org.apache.sshd.server.shell.ShellFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a shell or exec request gets, the one place that decides it. Every user may run
 * {@code sha256sum}, {@code sha1sum} and {@code md5sum} of their own files ({@link ChecksumExec}).
 * With an admin console, other exec lines run admin commands ({@link AdminExec}) for users with
 * the admin role (the console's chain checks the role again). Anything else, and every shell, gets
 * a message on stderr that this server offers SFTP only (naming the role a user lacks) and exit
 * status 1.
 */
public final class ShellAndExec implements ShellFactory, CommandFactory {

  private static final Logger log = LoggerFactory.getLogger(ShellAndExec.class);
  public static final String MESSAGE = "This server offers SFTP only: shell and command execution are not available.";

  private final Gateway gateway;
  private final AdminConsole admin;

  /** Exec runs checksums of {@code gateway}'s files, and admin commands from {@code admin} (null: none). */
  public ShellAndExec(Gateway gateway, AdminConsole admin) {
    this.gateway = gateway;
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
    Optional<ChecksumAlgorithm> checksum = checksumCommand(command);
    if (checksum.isPresent()) {
      try {
        List<String> words = CommandWords.split(command);
        return new ChecksumExec(gateway, user, SshSessionSlots.slotOf(channel.getSession()), checksum.get(),
            words.subList(1, words.size()));
      } catch (AdminException e) {
        return new Refusal(checksum.get().command() + ": " + e.getMessage());
      }
    }
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

  /** The checksum a command line asks for, by its first word (sha256sum, sha1sum, md5sum). */
  private static Optional<ChecksumAlgorithm> checksumCommand(String command) {
    String first = command.strip().split("\\s+", 2)[0];
    return ChecksumAlgorithm.byCommand(first);
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
