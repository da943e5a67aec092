package dev.ferry.ftps.command;

import dev.ferry.core.path.VirtualPath;
import dev.ferry.ftps.data.DataChannel;
import dev.ferry.core.vfs.FileStat;
import dev.ferry.ftps.fs.GatewayFileSystemView;
import dev.ferry.ftps.listing.ListingFormat;
import dev.ferry.ftps.listing.ListingInputStream;
import dev.ferry.ftps.reply.FtpReplyMapper;
import java.io.IOException;
import java.time.Clock;
import java.util.Iterator;
import org.apache.ftpserver.impl.FtpIoSession;

/** LIST, NLST and MLSD: a directory (or one file) streamed page by page over the data connection. */
final class ListCommand extends GatewayCommand {

  private final ListingFormat format;
  private final Clock clock;

  ListCommand(ListingFormat format, Clock clock) {
    this.format = format;
    this.clock = clock;
  }

  @Override
  void run(FtpIoSession session, GatewayFileSystemView view, String argument) throws IOException {
    if (!DataChannel.prepared(session)) {
      return;
    }
    VirtualPath path;
    Iterator<FileStat> entries;
    try {
      if (format == ListingFormat.MLSD) {
        path = view.resolve(argument);
        entries = view.fileSystem().list(path);
      } else {
        ListedPath listed = ListedPath.of(view, argument);
        path = listed.path();
        entries = listed.entries();
      }
    } catch (IOException refused) {
      DataChannel.refuse(session, FtpReplyMapper.replyFor(refused));
      return;
    }
    try (DataChannel data = DataChannel.open(session, "listing of " + path)) {
      if (data == null) {
        return;
      }
      try {
        data.sendFrom(new ListingInputStream(entries, format, view.fileSystem().ownerName(), clock.instant()));
      } catch (IOException e) {
        session.write(FtpReplyMapper.transferFailed("listing of " + path, e, false));
        return;
      }
      reply(session, 226, "Listing of " + path + " complete");
    }
  }
}
