package dev.ferry.ftps.command;

import java.io.IOException;
import org.apache.ftpserver.command.Command;
import org.apache.ftpserver.command.impl.MODE;
import org.apache.ftpserver.ftplet.DefaultFtpReply;
import org.apache.ftpserver.ftplet.FtpException;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.impl.FtpIoSession;
import org.apache.ftpserver.impl.FtpServerContext;

/**
 * MODE: FtpServer's, except that MODE Z (deflate) is refused unless {@code ftps.modeZ} turns it on.
 * lftp switches to MODE Z whenever FEAT lists it and then deflates on both ends; on data that does
 * not compress (most of what goes to S3) that made a default lftp 3 to 14 times slower. vsftpd,
 * Pure-FTPd and ProFTPD without mod_deflate do not offer it either.
 */
final class ModeCommand implements Command {

  private final boolean deflateOffered;
  private final MODE ftpServerMode = new MODE();

  ModeCommand(boolean deflateOffered) {
    this.deflateOffered = deflateOffered;
  }

  @Override
  public void execute(FtpIoSession session, FtpServerContext context, FtpRequest request)
      throws IOException, FtpException {
    String mode = request.getArgument();
    if (!deflateOffered && mode != null && mode.strip().equalsIgnoreCase("Z")) {
      session.resetState();
      session.write(new DefaultFtpReply(504, "MODE Z is not offered by this server: use MODE S"));
      return;
    }
    ftpServerMode.execute(session, context, request);
  }
}
