package dev.ferry.ftps.command;

import dev.ferry.ftps.reply.FtpReplyMapper;
import java.util.Locale;
import org.apache.ftpserver.command.Command;
import org.apache.ftpserver.ftplet.DefaultFtpReply;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.impl.FtpIoSession;
import org.apache.ftpserver.impl.FtpServerContext;

/**
 * 502 for a command this server does not know, named as the client sent it. FtpServer drops the
 * leading X of every command name (so that XPWD runs PWD), and its own reply then named XCRC as
 * "CRC" and XYZZY as "YZZY".
 */
final class UnknownCommand implements Command {

  @Override
  public void execute(FtpIoSession session, FtpServerContext context, FtpRequest request) {
    session.resetState();
    String sent = request.getRequestLine().strip().split("\\s+", 2)[0].toUpperCase(Locale.ROOT);
    session.write(new DefaultFtpReply(502, FtpReplyMapper.singleLine("Command " + sent + " not implemented")));
  }
}
