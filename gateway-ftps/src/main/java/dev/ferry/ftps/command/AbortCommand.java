package dev.ferry.ftps.command;

import dev.ferry.ftps.data.AbortWatch;
import java.io.IOException;
import org.apache.ftpserver.command.Command;
import org.apache.ftpserver.command.impl.ABOR;
import org.apache.ftpserver.ftplet.FtpException;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.impl.FtpIoSession;
import org.apache.ftpserver.impl.FtpServerContext;

/**
 * ABOR, once the commands before it have run: FtpServer's reply, and {@link AbortWatch} told that
 * this ABOR is answered, so that it does not stop a later transfer.
 */
final class AbortCommand implements Command {

  private final Command abor = new ABOR();

  @Override
  public void execute(FtpIoSession session, FtpServerContext context, FtpRequest request)
      throws IOException, FtpException {
    AbortWatch.answered(session);
    abor.execute(session, context, request);
  }
}
