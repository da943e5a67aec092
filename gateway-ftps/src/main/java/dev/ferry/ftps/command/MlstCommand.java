package dev.ferry.ftps.command;

import dev.ferry.core.path.VirtualPath;
import dev.ferry.ftps.fs.GatewayFileSystemView;
import dev.ferry.ftps.listing.ListingFormat;
import dev.ferry.ftps.reply.FtpReplyMapper;
import java.io.IOException;
import org.apache.ftpserver.ftplet.DefaultFtpReply;
import org.apache.ftpserver.impl.FtpIoSession;

/** MLST: the facts of one path, on the control connection. */
final class MlstCommand extends GatewayCommand {

  @Override
  void run(FtpIoSession session, GatewayFileSystemView view, String argument) throws IOException {
    VirtualPath path = view.resolve(argument);
    String facts = ListingFormat.facts(view.fileSystem().stat(path));
    session.write(new DefaultFtpReply(250, new String[] {
        "Listing " + FtpReplyMapper.singleLine(path.toString()),
        " " + facts + " " + FtpReplyMapper.singleLine(path.toString()),
        "End"}));
  }
}
