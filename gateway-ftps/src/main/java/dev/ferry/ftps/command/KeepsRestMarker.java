package dev.ferry.ftps.command;

import java.io.IOException;
import org.apache.ftpserver.command.Command;
import org.apache.ftpserver.ftplet.FtpException;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.impl.FtpIoSession;
import org.apache.ftpserver.impl.FtpServerContext;

/**
 * Runs one of FtpServer's data-connection commands (PASV, EPSV, PORT, EPRT, TYPE, STRU) and puts
 * back a REST marker given before it. FtpServer's commands clear it, so "REST 100, EPSV, STOR"
 * stored the file from byte 0 and answered 226: the resumed upload replaced the file. vsftpd and
 * ProFTPD keep the marker until the transfer; so does Ferry, where the transfer then resumes or is
 * refused as the marker asks.
 */
final class KeepsRestMarker implements Command {

  private final Command command;

  KeepsRestMarker(Command command) {
    this.command = command;
  }

  @Override
  public void execute(FtpIoSession session, FtpServerContext context, FtpRequest request)
      throws IOException, FtpException {
    long marker = session.getFileOffset();
    command.execute(session, context, request);
    if (marker != 0) {
      session.setFileOffset(marker);
    }
  }
}
