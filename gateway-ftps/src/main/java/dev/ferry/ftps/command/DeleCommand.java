package dev.ferry.ftps.command;

import dev.ferry.core.path.VirtualPath;
import dev.ferry.ftps.fs.GatewayFileSystemView;
import java.io.IOException;
import org.apache.ftpserver.impl.FtpIoSession;

/** DELE: removes a file; refused with 450 while it is being uploaded. */
final class DeleCommand extends GatewayCommand {

  @Override
  void run(FtpIoSession session, GatewayFileSystemView view, String argument) throws IOException {
    if (missing(session, argument, "DELE")) {
      return;
    }
    VirtualPath path = view.resolve(argument);
    view.fileSystem().delete(path);
    reply(session, 250, path + " deleted");
  }
}
