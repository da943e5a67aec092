package dev.ferry.ftps.command;

import dev.ferry.core.path.VirtualPath;
import dev.ferry.core.vfs.FileStat;
import dev.ferry.ftps.fs.GatewayFileSystemView;
import java.io.IOException;
import org.apache.ftpserver.impl.FtpIoSession;

/** SIZE: the byte size of a file (not of a directory, as RFC 3659 says). */
final class SizeCommand extends GatewayCommand {

  @Override
  void run(FtpIoSession session, GatewayFileSystemView view, String argument) throws IOException {
    if (missing(session, argument, "SIZE")) {
      return;
    }
    VirtualPath path = view.resolve(argument);
    FileStat stat = view.fileSystem().stat(path);
    if (stat.directory()) {
      reply(session, 550, path + ": is a directory, SIZE applies to files");
      return;
    }
    reply(session, 213, String.valueOf(stat.size()));
  }
}
