package dev.ferry.ftps.command;

import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.impl.FtpIoSession;
import org.apache.mina.core.filterchain.IoFilterAdapter;
import org.apache.mina.core.filterchain.IoFilterChain;
import org.apache.mina.core.session.IoSession;

/**
 * A command's argument as the client sent it. FtpServer trims the whole command line, so "DELE
 * a.txt " reached the commands as "a.txt": a file whose name ends in a space (legal in S3 and made
 * over SFTP) could not be named, and the command acted on a different file. This filter keeps the
 * line as decoded (only CR LF removed) for the command that runs on it; vsftpd likewise takes the
 * argument byte for byte.
 */
public final class RequestLine extends IoFilterAdapter {

  public static final String NAME = "ferryRequestLine";
  private static final String LINE = RequestLine.class.getName() + ".line";

  /** Goes after the line decoder; the session's commands run one after another behind it. */
  public static void install(IoFilterChain chain, String after) {
    chain.addAfter(after, NAME, new RequestLine());
  }

  @Override
  public void messageReceived(NextFilter next, IoSession session, Object message) throws Exception {
    if (message instanceof String line) {
      session.setAttribute(LINE, line);
    }
    next.messageReceived(session, message);
  }

  /**
   * The argument of {@code request} with its trailing spaces, or null when it has none. Leading
   * spaces of the line and the one space after the command are separators, as FtpServer reads
   * them; every space after that belongs to the argument.
   */
  static String argument(FtpIoSession session, FtpRequest request) {
    if (!(session.getAttribute(LINE) instanceof String line)
        || !line.trim().equals(request.getRequestLine())) {
      return request.getArgument();
    }
    String command = line.stripLeading();
    int space = command.indexOf(' ');
    if (space < 0 || space == command.length() - 1) {
      return request.getArgument();
    }
    return command.substring(space + 1);
  }
}
