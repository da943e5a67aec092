package dev.ferry.jobs.batch;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Writes files into a tar as they stream, and says where each one's data starts in it and its
 * SHA-256, computed on the way: what a manifest needs so that one file is read back with one ranged
 * GET of the archive. Records are one block (512 bytes), so every header is written through
 * before its file's data and the count of bytes written is the data's offset; names are UTF-8,
 * with a PAX header for long ones.
 */
final class TarWriter {

  /** Where a file's bytes are in the tar, and their SHA-256 (hex). */
  record Written(long offset, long size, String sha256) {}

  private final Counting out;
  private final TarArchiveOutputStream tar;
  private final MessageDigest sha256;
  private long offset = -1;
  private long size;

  TarWriter(OutputStream target) {
    this.out = new Counting(target);
    this.tar = new TarArchiveOutputStream(out, ArchivePlan.BLOCK, StandardCharsets.UTF_8.name());
    tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
    tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
    try {
      this.sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  /** Starts a file of {@code size} bytes; its bytes follow through {@link #write}. */
  void start(String name, long size, Instant modified) throws IOException {
    TarArchiveEntry entry = new TarArchiveEntry(name);
    entry.setSize(size);
    // Whole seconds: a fraction would add a PAX header that the plan's sizes do not count.
    entry.setModTime(modified.getEpochSecond() * 1000);
    entry.setMode(0644);
    tar.putArchiveEntry(entry);
    offset = out.count;
    this.size = size;
    sha256.reset();
  }

  void write(byte[] bytes, int from, int length) throws IOException {
    tar.write(bytes, from, length);
    sha256.update(bytes, from, length);
  }

  /** Ends the file started last (a short one fails) and says where it is. */
  Written end() throws IOException {
    tar.closeArchiveEntry();
    Written written = new Written(offset, size, HexFormat.of().formatHex(sha256.digest()));
    offset = -1;
    return written;
  }

  /** Writes the tar's end; returns the tar's size. The target stays open: its owner commits or aborts it. */
  long finish() throws IOException {
    tar.finish();
    tar.flush();
    return out.count;
  }

  /** Counts bytes on their way to the target, which it does not close. */
  private static final class Counting extends FilterOutputStream {
    long count;

    Counting(OutputStream out) {
      super(out);
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      count += len;
    }

    @Override
    public void close() throws IOException {
      flush();
    }
  }
}
