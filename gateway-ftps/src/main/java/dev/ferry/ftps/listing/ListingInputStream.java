package dev.ferry.ftps.listing;

import dev.ferry.core.vfs.FileStat;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Iterator;

/**
 * A directory listing rendered line by line as the data connection reads it, so a prefix with
 * millions of keys never sits in memory: only the current S3 page and the current line do.
 */
public final class ListingInputStream extends InputStream {

  private final Iterator<FileStat> entries;
  private final ListingFormat format;
  private final String owner;
  private final Instant now;
  private byte[] line = new byte[0];
  private int position;

  public ListingInputStream(Iterator<FileStat> entries, ListingFormat format, String owner, Instant now) {
    this.entries = entries;
    this.format = format;
    this.owner = owner;
    this.now = now;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] buffer, int offset, int length) throws IOException {
    if (position == line.length && !nextLine()) {
      return -1;
    }
    int n = Math.min(length, line.length - position);
    System.arraycopy(line, position, buffer, offset, n);
    position += n;
    return n;
  }

  private boolean nextLine() throws IOException {
    try {
      if (!entries.hasNext()) {
        return false;
      }
      line = (format.line(entries.next(), owner, now) + "\r\n").getBytes(StandardCharsets.UTF_8);
      position = 0;
      return true;
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }
}
