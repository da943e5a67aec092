package dev.ferry.ftps.command;

import dev.ferry.ftps.fs.GatewayFileSystemView;
import dev.ferry.ftps.reply.FtpReplyMapper;
import java.io.IOException;
import org.apache.ftpserver.command.Command;
import org.apache.ftpserver.ftplet.DefaultFtpReply;
import org.apache.ftpserver.ftplet.FtpException;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.impl.FtpIoSession;
import org.apache.ftpserver.impl.FtpServerContext;

/**
 * Base of Ferry's FTP commands: they work on core through the session's
 * {@link GatewayFileSystemView}, and every core error becomes a reply through
 * {@link FtpReplyMapper}, so each command only says what succeeds.
 */
abstract class GatewayCommand implements Command {

  private CommandsInFlight inFlight = new CommandsInFlight();

  GatewayCommand countedIn(CommandsInFlight counter) {
    this.inFlight = counter;
    return this;
  }

  @Override
  public final void execute(FtpIoSession session, FtpServerContext context, FtpRequest request)
      throws IOException, FtpException {
    inFlight.started();
    try {
      GatewayFileSystemView view = (GatewayFileSystemView) session.getFileSystemView();
      run(session, view, RequestLine.argument(session, request));
    } catch (IOException e) {
      session.write(FtpReplyMapper.replyFor(e));
    } finally {
      if (resetsState()) {
        session.resetState();
      }
      inFlight.finished();
    }
  }

  abstract void run(FtpIoSession session, GatewayFileSystemView view, String argument) throws IOException;

  /** Whether the REST offset and RNFR path end with this command, as they do for all but RNFR. */
  boolean resetsState() {
    return true;
  }

  static void reply(FtpIoSession session, int code, String text) {
    session.write(new DefaultFtpReply(code, FtpReplyMapper.singleLine(text)));
  }

  /** Replies 501 and returns true when a required argument is missing. */
  static boolean missing(FtpIoSession session, String argument, String command) {
    if (argument == null || argument.isEmpty()) {
      reply(session, 501, command + " needs a path argument");
      return true;
    }
    return false;
  }
}
