package dev.ferry.ftps.command;

import dev.ferry.core.path.VirtualPath;
import dev.ferry.ftps.fs.GatewayFileSystemView;
import dev.ferry.ftps.listing.ListingFormat;
import java.io.IOException;
import org.apache.ftpserver.impl.FtpIoSession;

/** MDTM: a file's modification time in UTC. */
final class MdtmCommand extends GatewayCommand {

  @Override
  void run(FtpIoSession session, GatewayFileSystemView view, String argument) throws IOException {
    if (missing(session, argument, "MDTM")) {
      return;
    }
    VirtualPath path = view.resolve(argument);
    reply(session, 213, ListingFormat.ftpTime(view.fileSystem().stat(path).lastModified()));
  }
}
