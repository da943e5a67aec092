package dev.ferry.ftps.command;

import dev.ferry.core.path.VirtualPath;
import dev.ferry.ftps.fs.GatewayFileSystemView;
import java.io.IOException;
import org.apache.ftpserver.impl.FtpIoSession;

/** RNFR: remembers an existing source path for the RNTO that must follow. */
final class RnfrCommand extends GatewayCommand {

  static final String RENAME_FROM = "dev.ferry.rename-from";

  @Override
  void run(FtpIoSession session, GatewayFileSystemView view, String argument) throws IOException {
    session.resetState();
    session.removeAttribute(RENAME_FROM);
    if (missing(session, argument, "RNFR")) {
      return;
    }
    VirtualPath path = view.resolve(argument);
    view.fileSystem().stat(path);
    session.setAttribute(RENAME_FROM, path);
    reply(session, 350, path + " exists, ready for RNTO");
  }

  @Override
  boolean resetsState() {
    return false;
  }
}
