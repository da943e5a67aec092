package dev.ferry.ftps.command;

import dev.ferry.ftps.fs.GatewayFileSystemView;
import org.apache.ftpserver.impl.FtpIoSession;

/**
 * ALLO: nothing is reserved before an upload streams to S3, and RFC 959 asks a server that needs no
 * reservation to answer 202 as for NOOP. Legacy clients send it before every STOR.
 */
final class AlloCommand extends GatewayCommand {

  @Override
  void run(FtpIoSession session, GatewayFileSystemView view, String argument) {
    reply(session, 202, "ALLO not needed: uploads stream to S3 as they arrive");
  }

  /** ALLO may come between REST and STOR; the marker is the STOR's. */
  @Override
  boolean resetsState() {
    return false;
  }
}
