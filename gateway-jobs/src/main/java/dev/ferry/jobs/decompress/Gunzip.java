package dev.ferry.jobs.decompress;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.OptionalLong;
import java.util.zip.GZIPInputStream;

/**
 * gzip undone as the bytes stream past: {@code x.gz} becomes {@code x} with no temp file and a
 * fixed buffer whatever the size. Watched folders use it on the way to S3; workflow steps that
 * decompress an uploaded object are meant to use it too, so both read gzip the same way
 * (concatenated members are one stream, as gunzip(1) reads them).
 */
public final class Gunzip {

  public static final String SUFFIX = ".gz";

  /** Large enough that inflating is not held up by small reads from the file. */
  private static final int BUFFER = 64 * 1024;

  private Gunzip() {}

  /** Whether {@code name} is one this decompresses: it ends in .gz and is more than that. */
  public static boolean appliesTo(String name) {
    return name.endsWith(SUFFIX) && name.length() > SUFFIX.length()
        && !name.endsWith("/" + SUFFIX);
  }

  /** {@code x.gz} → {@code x}; other names as they are. */
  public static String decompressedName(String name) {
    return appliesTo(name) ? name.substring(0, name.length() - SUFFIX.length()) : name;
  }

  /**
   * The decompressed bytes of {@code compressed}. A stream that is not gzip fails at once (a
   * {@link java.util.zip.ZipException}), one that ends early fails where it ends (an
   * {@link java.io.EOFException}): a half-written .gz never passes as a whole file.
   */
  public static InputStream decompress(InputStream compressed) throws IOException {
    return new GZIPInputStream(compressed, BUFFER);
  }

  /**
   * The size the last member's trailer declares (ISIZE: the decompressed size modulo 2^32, which
   * for a file of one member under 4 GiB is the size), read without decompressing; empty when the
   * file is too short to be gzip.
   */
  public static OptionalLong declaredSize(Path file) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = channel.size();
      if (size < 18) { // a 10-byte header and an 8-byte trailer at the least
        return OptionalLong.empty();
      }
      ByteBuffer trailer = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
      while (trailer.hasRemaining()) {
        if (channel.read(trailer, size - 4 + trailer.position()) < 0) {
          return OptionalLong.empty();
        }
      }
      return OptionalLong.of(Integer.toUnsignedLong(trailer.flip().getInt()));
    }
  }
}
