package dev.ferry.ftps.command;

import dev.ferry.ftps.reply.FtpReplyMapper;
import org.apache.ftpserver.ftplet.DataConnection;
import org.apache.ftpserver.impl.FtpIoSession;
import org.apache.ftpserver.impl.IODataConnectionFactory;

/** Opening the data connection the way every transfer command needs it. */
final class DataChannel {

  private DataChannel() {}

  /** Replies 503 and returns false when no PASV, EPSV or PORT prepared a data connection. */
  static boolean prepared(FtpIoSession session) {
    if (session.getDataConnection() instanceof IODataConnectionFactory factory && factory.getInetAddress() == null) {
      GatewayCommand.reply(session, 503, "PASV, EPSV or PORT must come first");
      return false;
    }
    return true;
  }

  /** Sends 150 and opens the connection; on failure replies 425 and returns null. */
  static DataConnection open(FtpIoSession session, String what) {
    session.write(new org.apache.ftpserver.ftplet.DefaultFtpReply(150, FtpReplyMapper.singleLine(
        "Opening " + (session.getDataConnection().isSecure() ? "TLS " : "") + "data connection for " + what)))
        .awaitUninterruptibly(10_000);
    try {
      return session.getDataConnection().openConnection();
    } catch (Exception e) {
      GatewayCommand.reply(session, 425, "Cannot open data connection: " + e.getMessage());
      return null;
    }
  }

  static void close(FtpIoSession session) {
    session.getDataConnection().closeDataConnection();
  }
}
