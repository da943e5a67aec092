package dev.ferry.ftps.command;

import dev.ferry.core.path.VirtualPath;
import dev.ferry.ftps.fs.GatewayFileSystemView;
import java.io.IOException;
import org.apache.ftpserver.impl.FtpIoSession;

/**
 * RNTO: renames the RNFR path (a file, or a directory with everything under it). As on other FTP
 * servers, a file replaces an existing target file (with the overwrite permission).
 */
final class RntoCommand extends GatewayCommand {

  @Override
  void run(FtpIoSession session, GatewayFileSystemView view, String argument) throws IOException {
    Object from = session.removeAttribute(RnfrCommand.RENAME_FROM);
    if (!(from instanceof VirtualPath source)) {
      reply(session, 503, "RNFR must come first");
      return;
    }
    if (missing(session, argument, "RNTO")) {
      return;
    }
    VirtualPath target = view.resolve(argument);
    view.fileSystem().rename(source, target, true);
    reply(session, 250, "Renamed " + source + " to " + target);
  }
}
