package dev.ferry.ftps.command;

import dev.ferry.core.path.VirtualPath;
import dev.ferry.ftps.fs.GatewayFileSystemView;
import dev.ferry.ftps.listing.ListingFormat;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.ftpserver.impl.FtpIoSession;

/**
 * MFMT (draft-somers-ftp-mfxx): sets a file's modification time, in UTC, as lftp's mirror and
 * FileZilla do after an upload to keep the source's times. Kept by core as SFTP's setstat is.
 */
final class MfmtCommand extends GatewayCommand {

  private static final Pattern ARGUMENT = Pattern.compile("(\\d{14})(?:\\.(\\d{1,3}))?\\s+(\\S.*)");

  @Override
  void run(FtpIoSession session, GatewayFileSystemView view, String argument) throws IOException {
    Matcher m = ARGUMENT.matcher(argument == null ? "" : argument.stripLeading());
    if (!m.matches()) {
      reply(session, 501, "MFMT needs a time and a path: MFMT YYYYMMDDHHMMSS path");
      return;
    }
    Instant time;
    try {
      time = ListingFormat.parseFtpTime(m.group(1));
    } catch (DateTimeParseException e) {
      reply(session, 501, "MFMT: " + m.group(1) + " is not a valid time (YYYYMMDDHHMMSS, UTC)");
      return;
    }
    VirtualPath path = view.resolve(m.group(3));
    view.fileSystem().setModifiedTime(path, time);
    reply(session, 213, "Modify=" + ListingFormat.ftpTime(time) + "; " + m.group(3));
  }
}
