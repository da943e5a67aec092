package dev.ferry.ftps.command;

import dev.ferry.core.path.VirtualPath;
import dev.ferry.ftps.fs.GatewayFileSystemView;
import java.io.IOException;
import org.apache.ftpserver.impl.FtpIoSession;

/** RMD: removes an empty directory only. */
final class RmdCommand extends GatewayCommand {

  @Override
  void run(FtpIoSession session, GatewayFileSystemView view, String argument) throws IOException {
    if (missing(session, argument, "RMD")) {
      return;
    }
    VirtualPath path = view.resolve(argument);
    view.fileSystem().rmdir(path);
    reply(session, 250, path + " removed");
  }
}
