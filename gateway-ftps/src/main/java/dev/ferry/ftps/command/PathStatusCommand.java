package dev.ferry.ftps.command;

import dev.ferry.core.path.VirtualPath;
import dev.ferry.core.vfs.FileStat;
import dev.ferry.ftps.fs.GatewayFileSystemView;
import dev.ferry.ftps.listing.ListingFormat;
import dev.ferry.ftps.reply.FtpReplyMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.util.Iterator;
import org.apache.ftpserver.ftplet.FtpReply;
import org.apache.ftpserver.impl.FtpIoSession;

/**
 * STAT with a path (RFC 959): what LIST would send, on the control connection. A file is a 213
 * reply with its one line, a directory a 212 reply with a line per entry. A directory is written
 * a batch of lines at a time, each batch sent before the next is read from S3, so a prefix with
 * millions of keys never sits in memory and a client that stops reading stops the listing.
 */
final class PathStatusCommand extends GatewayCommand {

  static final int LINES_PER_WRITE = 200;

  private final Clock clock;

  PathStatusCommand(Clock clock) {
    this.clock = clock;
  }

  @Override
  void run(FtpIoSession session, GatewayFileSystemView view, String argument) throws IOException {
    VirtualPath path = view.resolve(argument);
    FileStat stat = view.fileSystem().stat(path);
    Instant now = clock.instant();
    String name = FtpReplyMapper.singleLine(path.toString());
    if (!stat.directory()) {
      session.write(new Lines(213, "213-Status of " + name + ":\r\n" + ListingFormat.LIST.line(stat, now)
          + "\r\n213 End of status\r\n"));
      return;
    }
    Iterator<FileStat> entries = view.fileSystem().list(path);
    StringBuilder batch = new StringBuilder("212-Status of ").append(name).append(":\r\n");
    int lines = 0;
    try {
      while (entries.hasNext()) {
        batch.append(ListingFormat.LIST.line(entries.next(), now)).append("\r\n");
        if (++lines % LINES_PER_WRITE == 0) {
          session.write(new Lines(212, batch.toString())).awaitUninterruptibly();
          batch.setLength(0);
        }
      }
    } catch (UncheckedIOException e) {
      // Part of the 212 reply may be out, and a multi-line reply ends with the code it began with:
      // the last line says that the listing stopped, and why.
      session.write(new Lines(212, batch + "212 Listing of " + name + " stopped after " + lines + " entries: "
          + FtpReplyMapper.singleLine(String.valueOf(e.getCause().getMessage())) + "\r\n"));
      return;
    }
    session.write(new Lines(212, batch + "212 End of status\r\n"));
  }

  /** Raw reply text, written as is: part of a multi-line reply, or its end. */
  private record Lines(int code, String text) implements FtpReply {

    @Override
    public int getCode() {
      return code;
    }

    @Override
    public String getMessage() {
      return text;
    }

    @Override
    public long getSentTime() {
      return 0;
    }

    @Override
    public boolean isPositive() {
      return code < 400;
    }

    @Override
    public String toString() {
      return text;
    }
  }
}
