package dev.ferry.ftps.command;

import dev.ferry.core.path.VirtualPath;
import dev.ferry.ftps.data.DataChannel;
import dev.ferry.ftps.fs.GatewayFileSystemView;
import dev.ferry.ftps.reply.FtpReplyMapper;
import java.io.IOException;
import java.io.InputStream;
import org.apache.ftpserver.impl.FtpIoSession;

/** RETR, from the REST offset if one was given, as one ranged GET streamed to the client. */
final class RetrieveCommand extends GatewayCommand {

  @Override
  void run(FtpIoSession session, GatewayFileSystemView view, String argument) throws IOException {
    if (missing(session, argument, "RETR") || !DataChannel.prepared(session)) {
      return;
    }
    VirtualPath path;
    InputStream in;
    try {
      path = view.resolve(argument);
      in = view.fileSystem().openWholeRead(path, session.getFileOffset());
    } catch (IOException refused) {
      DataChannel.refuse(session, FtpReplyMapper.replyFor(refused));
      return;
    }
    try (in; DataChannel data = DataChannel.open(session, path.toString())) {
      if (data == null) {
        return;
      }
      long sent;
      try {
        sent = data.sendFrom(in);
      } catch (IOException e) {
        session.write(FtpReplyMapper.transferFailed("RETR " + path, e, false));
        return;
      }
      reply(session, 226, "Transfer complete: " + path + " (" + sent + " bytes sent)");
    }
  }
}
