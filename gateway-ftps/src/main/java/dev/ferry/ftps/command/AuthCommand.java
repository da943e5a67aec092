package dev.ferry.ftps.command;

import dev.ferry.ftps.tls.HandshakeQuickAck;
import java.io.IOException;
import org.apache.ftpserver.command.Command;
import org.apache.ftpserver.command.impl.AUTH;
import org.apache.ftpserver.ftplet.FtpException;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.impl.FtpIoSession;
import org.apache.ftpserver.impl.FtpServerContext;

/**
 * FtpServer's AUTH, which puts TLS on the control connection, with quick ACKs for the handshake
 * that follows ({@link HandshakeQuickAck}): installed once AUTH has added its SSL filter, ahead of it.
 */
final class AuthCommand implements Command {

  private final AUTH auth = new AUTH();

  @Override
  public void execute(FtpIoSession session, FtpServerContext context, FtpRequest request)
      throws IOException, FtpException {
    auth.execute(session, context, request);
    HandshakeQuickAck.install(session);
  }
}
