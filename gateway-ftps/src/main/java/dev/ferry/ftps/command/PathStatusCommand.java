package dev.ferry.ftps.command;

import dev.ferry.core.vfs.FileStat;
import dev.ferry.ftps.fs.GatewayFileSystemView;
import dev.ferry.ftps.listing.ListingFormat;
import dev.ferry.ftps.reply.FtpReplyMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.apache.ftpserver.ftplet.FtpReply;
import org.apache.ftpserver.impl.FtpIoSession;
import org.apache.mina.core.future.WriteFuture;

/**
 * STAT with a path (RFC 959): what LIST would send, on the control connection. A file is a 213
 * reply with its one line, a directory a 212 reply with a line per entry. A directory is written
 * a batch of lines at a time, each batch sent before the next is read from S3, so a prefix with
 * millions of keys never sits in memory, and a client that stops reading stops the listing.
 *
 * <p>Every line is made one line: a name from S3 may hold CR or LF, which on the control
 * connection would end the reply early and forge the next.
 */
final class PathStatusCommand extends GatewayCommand {

  private static final int LINES_PER_WRITE = 200;
  /** How long a client may leave a batch unread before the session is closed. */
  private static final long WRITE_WAIT_SECONDS = 60;

  private final Clock clock;

  PathStatusCommand(Clock clock) {
    this.clock = clock;
  }

  @Override
  void run(FtpIoSession session, GatewayFileSystemView view, String argument) throws IOException {
    ListedPath listed = ListedPath.of(view, argument);
    String name = FtpReplyMapper.singleLine(listed.path().toString());
    int code = listed.directory() ? 212 : 213;
    Instant now = clock.instant();
    String owner = view.fileSystem().ownerName();
    StringBuilder batch = new StringBuilder().append(code).append("-Status of ").append(name).append(":\r\n");
    int lines = 0;
    try {
      while (listed.entries().hasNext()) {
        FileStat entry = listed.entries().next();
        batch.append(FtpReplyMapper.singleLine(ListingFormat.LIST.line(entry, owner, now))).append("\r\n");
        if (++lines % LINES_PER_WRITE == 0) {
          if (!sent(session, code, batch)) {
            return;
          }
          batch.setLength(0);
        }
      }
    } catch (RuntimeException e) {
      // Part of the reply may be out, and a multi-line reply ends with the code it began with: the
      // last line says that the listing stopped, and why.
      String reason = e instanceof UncheckedIOException io ? io.getMessage() : e.toString();
      batch.append(code).append(" Listing of ").append(name).append(" for ").append(view.fileSystem().user().name())
          .append(" stopped after ").append(lines).append(" entries: ").append(FtpReplyMapper.singleLine(reason))
          .append("\r\n");
      sent(session, code, batch);
      return;
    }
    sent(session, code, batch.append(code).append(" End of status\r\n"));
  }

  /** Writes a batch and waits until the client took it; false (and the session closed) if it did not. */
  private static boolean sent(FtpIoSession session, int code, CharSequence text) {
    WriteFuture write = session.write(new Lines(code, text.toString()));
    if (write.awaitUninterruptibly(WRITE_WAIT_SECONDS, TimeUnit.SECONDS) && write.isWritten()) {
      return true;
    }
    session.closeNow();
    return false;
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
