package dev.ferry.ftps.command;

import dev.ferry.core.path.VirtualPath;
import dev.ferry.core.upload.StreamingUpload;
import dev.ferry.core.vfs.WriteMode;
import dev.ferry.ftps.data.DataChannel;
import dev.ferry.ftps.data.UntilRefused;
import dev.ferry.ftps.fs.GatewayFileSystemView;
import dev.ferry.ftps.reply.FtpReplyMapper;
import java.io.IOException;
import org.apache.ftpserver.impl.FtpIoSession;

/**
 * STOR (with an optional REST offset) and APPE. The upload is opened before 150, so permission,
 * path and lock errors are answered at once; it is committed only after the client's data arrived
 * in full, and aborted otherwise: FtpServer's own STOR would commit by closing the stream even
 * after the data connection broke.
 */
final class StoreCommand extends GatewayCommand {

  private final boolean append;

  StoreCommand(boolean append) {
    this.append = append;
  }

  @Override
  void run(FtpIoSession session, GatewayFileSystemView view, String argument) throws IOException {
    String command = append ? "APPE" : "STOR";
    if (missing(session, argument, command) || !DataChannel.prepared(session)) {
      return;
    }
    VirtualPath path;
    StreamingUpload upload;
    try {
      path = view.resolve(argument);
      long offset = append ? 0 : session.getFileOffset();
      WriteMode mode = append ? WriteMode.APPEND : offset > 0 ? WriteMode.RESUME : WriteMode.TRUNCATE;
      upload = view.fileSystem().openWrite(path, mode, offset);
    } catch (IOException refused) {
      DataChannel.refuse(session, FtpReplyMapper.replyFor(refused));
      return;
    }
    try (upload; DataChannel data = DataChannel.openForUpload(session, path.toString())) {
      if (data == null) {
        upload.abort("data connection could not be opened");
        return;
      }
      long received;
      try {
        UntilRefused sink = new UntilRefused(upload);
        received = data.receiveInto(sink);
        sink.rethrowRefusal();
        upload.commit();
      } catch (IOException e) {
        upload.abort(e.getMessage());
        session.write(FtpReplyMapper.transferFailed(command + " " + path, e, true));
        return;
      }
      reply(session, 226, "Transfer complete: " + path + " stored (" + received + " bytes received, "
          + upload.size() + " bytes in the file)");
    }
  }
}
