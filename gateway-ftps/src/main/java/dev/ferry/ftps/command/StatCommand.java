package dev.ferry.ftps.command;

import java.io.IOException;
import org.apache.ftpserver.command.Command;
import org.apache.ftpserver.command.impl.STAT;
import org.apache.ftpserver.ftplet.FtpException;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.impl.FtpIoSession;
import org.apache.ftpserver.impl.FtpServerContext;

/**
 * STAT: without an argument, the server's status (FtpServer's own answer); with a path, that path's
 * listing on the control connection ({@link PathStatusCommand}).
 */
final class StatCommand implements Command {

  private final Command serverStatus = new STAT();
  private final Command pathStatus;

  StatCommand(Command pathStatus) {
    this.pathStatus = pathStatus;
  }

  @Override
  public void execute(FtpIoSession session, FtpServerContext context, FtpRequest request)
      throws IOException, FtpException {
    (request.hasArgument() ? pathStatus : serverStatus).execute(session, context, request);
  }
}
