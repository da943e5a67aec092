package dev.ferry.jobs.transfer;

import dev.ferry.jobs.engine.JobException;
import dev.ferry.jobs.remote.FreeSpace;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the answer of {@code df -P -k DIR} (POSIX format, 1024-byte blocks) when the remote's SFTP
 * server lacks statvfs@openssh.com. An answer that does not look like that is an error, never a
 * silent pass of the free-space gate.
 */
public final class DfOutput {

  // Filesystem names may contain spaces, so the numeric columns are matched from the line's end.
  private static final Pattern ROW = Pattern.compile(".*?\\s(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)%\\s+(/.*)");

  private DfOutput() {}

  public static FreeSpace parse(String output) throws JobException {
    String[] lines = output.strip().split("\\R");
    if (lines.length < 2 || !lines[0].startsWith("Filesystem")) {
      throw JobException.permanent("unexpected answer from df -P: '" + abbreviate(output) + "'");
    }
    Matcher m = ROW.matcher(lines[lines.length - 1]);
    if (!m.matches()) {
      throw JobException.permanent("unexpected answer from df -P: '" + abbreviate(output) + "'");
    }
    try {
      long blocks = Long.parseLong(m.group(1));
      long available = Long.parseLong(m.group(3));
      return new FreeSpace(blocks * 1024, available * 1024, "df -P on " + m.group(5));
    } catch (NumberFormatException e) {
      throw JobException.permanent("df -P reported a number too large to read: '" + abbreviate(output) + "'");
    }
  }

  private static String abbreviate(String s) {
    String oneLine = s.replace('\n', '|');
    return oneLine.length() > 200 ? oneLine.substring(0, 200) + "..." : oneLine;
  }
}
