package dev.ferry.ftps.command;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.apache.ftpserver.command.Command;
import org.apache.ftpserver.ftplet.DefaultFtpReply;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.impl.FtpIoSession;
import org.apache.ftpserver.impl.FtpServerContext;

/**
 * HELP: the commands this server answers, as vsftpd lists them. FtpServer's own HELP prints a fixed
 * list of its defaults, which names STOU and SITE (refused here) and leaves out FEAT, MLSD, EPSV and
 * the TLS commands.
 */
final class HelpCommand implements Command {

  private static final int NAMES_PER_LINE = 12;

  private final String reply;

  /** {@code commands}: the names answered, in the order to list them. */
  HelpCommand(Collection<String> commands) {
    List<String> names = new ArrayList<>(commands);
    StringBuilder text = new StringBuilder("The following commands are recognized.");
    for (int i = 0; i < names.size(); i += NAMES_PER_LINE) {
      text.append("\n ").append(String.join(" ", names.subList(i, Math.min(names.size(), i + NAMES_PER_LINE))));
    }
    reply = text.append("\nHelp OK.").toString();
  }

  @Override
  public void execute(FtpIoSession session, FtpServerContext context, FtpRequest request) {
    session.resetState();
    session.write(new DefaultFtpReply(214, reply));
  }
}
