package dev.ferry.jobs.decompress;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.OptionalLong;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GunzipTest {

  @TempDir
  Path dir;

  static byte[] gzip(byte[] data) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(data);
    }
    return out.toByteArray();
  }

  static byte[] read(byte[] compressed) throws IOException {
    try (InputStream in = Gunzip.decompress(new ByteArrayInputStream(compressed))) {
      return in.readAllBytes();
    }
  }

  static byte[] data(int size) {
    byte[] data = new byte[size];
    new Random(size).nextBytes(data);
    return data;
  }

  @Test
  void decompress_gzipStream_originalBytes() throws IOException {
    byte[] data = data(3 * 1024 * 1024 + 17);
    assertArrayEquals(data, read(gzip(data)));
  }

  /** cat a.gz b.gz > ab.gz is one file to gunzip(1): a then b. */
  @Test
  void decompress_concatenatedMembers_oneStreamAsGunzipReadsThem() throws IOException {
    byte[] a = data(1000);
    byte[] b = data(2000);
    ByteArrayOutputStream both = new ByteArrayOutputStream();
    both.write(gzip(a));
    both.write(gzip(b));
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    expected.write(a);
    expected.write(b);
    assertArrayEquals(expected.toByteArray(), read(both.toByteArray()));
  }

  @Test
  void decompress_notGzip_zipException() {
    assertThrows(ZipException.class, () -> read("plain text, not gzip".getBytes()));
  }

  @Test
  void decompress_truncated_eofException() throws IOException {
    byte[] whole = gzip(data(100_000));
    assertThrows(EOFException.class, () -> read(Arrays.copyOf(whole, whole.length / 2)));
  }

  @Test
  void declaredSize_trailer_decompressedSizeWithoutReading() throws IOException {
    Path file = Files.write(dir.resolve("x.gz"), gzip(data(123_457)));
    assertEquals(OptionalLong.of(123_457), Gunzip.declaredSize(file));
    assertEquals(OptionalLong.empty(), Gunzip.declaredSize(Files.write(dir.resolve("short.gz"), new byte[5])));
  }

  @Test
  void decompressedName_gzSuffix_dropped() {
    assertEquals("a/x.csv", Gunzip.decompressedName("a/x.csv.gz"));
    assertEquals("x.csv", Gunzip.decompressedName("x.csv"));
    assertTrue(Gunzip.appliesTo("x.gz"));
    assertFalse(Gunzip.appliesTo(".gz"));
    assertFalse(Gunzip.appliesTo("a/.gz"));
    assertFalse(Gunzip.appliesTo("x.tgz.zip"));
  }
}
