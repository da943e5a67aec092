package dev.ferry.ftps.command;

import org.apache.ftpserver.command.Command;
import org.apache.ftpserver.ftplet.DefaultFtpReply;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.impl.FtpIoSession;
import org.apache.ftpserver.impl.FtpServerContext;

/**
 * SYST: "UNIX Type: L8", what vsftpd, ProFTPD, Pure-FTPd and SFTPGo answer. Clients pick their
 * listing parser from it, and some legacy ones match it whole; FtpServer's "UNIX Type: Apache
 * FtpServer" is not among the answers they know.
 */
final class SystCommand implements Command {

  private static final String SYSTEM = "UNIX Type: L8";

  @Override
  public void execute(FtpIoSession session, FtpServerContext context, FtpRequest request) {
    session.resetState();
    session.write(new DefaultFtpReply(215, SYSTEM));
  }
}
