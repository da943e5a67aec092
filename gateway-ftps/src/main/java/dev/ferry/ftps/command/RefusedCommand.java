package dev.ferry.ftps.command;

import dev.ferry.ftps.fs.GatewayFileSystemView;
import org.apache.ftpserver.impl.FtpIoSession;

/** A command FtpServer would run against a local disk and Ferry does not offer (STOU, SITE). */
final class RefusedCommand extends GatewayCommand {

  private final String reason;

  RefusedCommand(String reason) {
    this.reason = reason;
  }

  @Override
  void run(FtpIoSession session, GatewayFileSystemView view, String argument) {
    reply(session, 502, reason);
  }
}
