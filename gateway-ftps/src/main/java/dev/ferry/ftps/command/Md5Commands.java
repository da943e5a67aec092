package dev.ferry.ftps.command;

import java.io.IOException;
import java.util.Locale;
import org.apache.ftpserver.ftplet.FtpException;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.impl.FtpIoSession;
import org.apache.ftpserver.impl.FtpServerContext;
import org.apache.ftpserver.command.Command;

/**
 * XMD5 and MD5 reach FtpServer's command table under one name (it drops the X of every command):
 * the line the client sent says which was meant.
 */
final class Md5Commands implements Command {

  private final Command xmd5;
  private final Command md5;

  Md5Commands(Command xmd5, Command md5) {
    this.xmd5 = xmd5;
    this.md5 = md5;
  }

  @Override
  public void execute(FtpIoSession session, FtpServerContext context, FtpRequest request)
      throws IOException, FtpException {
    boolean legacy = request.getRequestLine().stripLeading().toUpperCase(Locale.ROOT).startsWith("X");
    (legacy ? xmd5 : md5).execute(session, context, request);
  }
}
