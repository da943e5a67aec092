package dev.ferry.ftps.listing;

import dev.ferry.core.vfs.FileStat;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.Locale;

/** How one directory entry is written in LIST, NLST and MLSD/MLST output (times in UTC). */
public enum ListingFormat {

  /** Unix "ls -l" style, which every FTP client parses. */
  LIST {
    @Override
    public String line(FileStat stat, String owner, Instant now) {
      ZonedDateTime modified = stat.lastModified().atZone(ZoneOffset.UTC);
      boolean recent = stat.lastModified().isAfter(now.minusSeconds(180L * 24 * 3600))
          && !stat.lastModified().isAfter(now.plusSeconds(3600));
      String time = (recent ? RECENT : OLD).format(modified);
      return String.format(Locale.ROOT, "%s   1 %-8s %-8s %12d %s %s",
          stat.directory() ? "drwxr-xr-x" : "-rw-r--r--", owner, owner, stat.size(), time, stat.name());
    }
  },

  /** Names only. */
  NLST {
    @Override
    public String line(FileStat stat, String owner, Instant now) {
      return stat.name();
    }
  },

  /** RFC 3659 machine-readable facts. */
  MLSD {
    @Override
    public String line(FileStat stat, String owner, Instant now) {
      return facts(stat) + " " + stat.name();
    }
  };

  private static final DateTimeFormatter RECENT = DateTimeFormatter.ofPattern("MMM dd HH:mm", Locale.ROOT);
  private static final DateTimeFormatter OLD = DateTimeFormatter.ofPattern("MMM dd  yyyy", Locale.ROOT);
  private static final DateTimeFormatter MLSX_TIME = DateTimeFormatter.ofPattern("uuuuMMddHHmmss", Locale.ROOT)
      .withZone(ZoneOffset.UTC);
  /** The same format for reading: a date that does not exist (month 13, 30 February) is refused. */
  private static final DateTimeFormatter MLSX_TIME_STRICT = MLSX_TIME.withResolverStyle(ResolverStyle.STRICT);

  /** One entry's line; {@code owner} is the owner and group LIST shows (the session's login name). */
  public abstract String line(FileStat stat, String owner, Instant now);

  /** The facts part of an MLSD/MLST entry, ending in ";". */
  public static String facts(FileStat stat) {
    String perm = stat.directory() ? "elcdmf" : "radfw";
    return "type=" + (stat.directory() ? "dir" : "file") + ";size=" + stat.size() + ";modify="
        + MLSX_TIME.format(stat.lastModified()) + ";perm=" + perm + ";";
  }

  /** An FTP timestamp (MDTM): yyyyMMddHHmmss in UTC. */
  public static String ftpTime(Instant instant) {
    return MLSX_TIME.format(instant);
  }

  /** Reads an FTP timestamp (MFMT's argument); a date that does not exist is refused. */
  public static Instant parseFtpTime(String text) throws DateTimeParseException {
    return MLSX_TIME_STRICT.parse(text, Instant::from);
  }
}
