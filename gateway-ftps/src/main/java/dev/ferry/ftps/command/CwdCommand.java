package dev.ferry.ftps.command;

import dev.ferry.core.path.VirtualPath;
import dev.ferry.ftps.fs.GatewayFileSystemView;
import java.io.IOException;
import java.nio.file.NotDirectoryException;
import org.apache.ftpserver.impl.FtpIoSession;

/** CWD: only into a directory that exists. */
final class CwdCommand extends GatewayCommand {

  @Override
  void run(FtpIoSession session, GatewayFileSystemView view, String argument) throws IOException {
    VirtualPath path = view.resolve(argument == null ? "/" : argument);
    if (!view.fileSystem().stat(path).directory()) {
      throw new NotDirectoryException(path + ": not a directory");
    }
    view.setCwd(path);
    reply(session, 250, "Directory changed to " + path);
  }
}
