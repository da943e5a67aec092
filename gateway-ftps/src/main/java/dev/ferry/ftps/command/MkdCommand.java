package dev.ferry.ftps.command;

import dev.ferry.core.path.VirtualPath;
import dev.ferry.ftps.fs.GatewayFileSystemView;
import java.io.IOException;
import org.apache.ftpserver.impl.FtpIoSession;

/** MKD: a zero-byte "dir/" marker, so the empty directory shows in listings. */
final class MkdCommand extends GatewayCommand {

  @Override
  void run(FtpIoSession session, GatewayFileSystemView view, String argument) throws IOException {
    if (missing(session, argument, "MKD")) {
      return;
    }
    VirtualPath path = view.resolve(argument);
    view.fileSystem().mkdir(path);
    reply(session, 257, "\"" + path.toString().replace("\"", "\"\"") + "\" created");
  }
}
