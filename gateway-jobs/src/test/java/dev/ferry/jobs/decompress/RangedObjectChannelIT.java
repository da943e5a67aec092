package dev.ferry.jobs.decompress;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.s3.ObjectInfo;
import dev.ferry.core.s3.S3Location;
import dev.ferry.core.store.ObjectStore;
import dev.ferry.core.testing.S3TestServer;
import dev.ferry.core.testing.TestObjects;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A zip in a real S3-API server read through its central directory, a few ranged GETs at a time. */
class RangedObjectChannelIT {

  @RegisterExtension
  static final S3TestServer s3 = new S3TestServer();

  private static ObjectStore store;

  @BeforeAll
  static void openStore() {
    store = new ObjectStore(new ObjectStore.Settings(s3.endpoint(), s3.region(), s3.accessKey(), s3.secretKey(),
        true, 16, 5L << 30));
  }

  @AfterAll
  static void closeStore() {
    store.close();
  }

  /** A 24 MiB zip: one large stored entry first, a small one last. */
  private static byte[] zip(byte[] large, byte[] small) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      ZipEntry stored = new ZipEntry("data/large.bin");
      stored.setMethod(ZipEntry.STORED);
      stored.setSize(large.length);
      CRC32 crc = new CRC32();
      crc.update(large);
      stored.setCrc(crc.getValue());
      zip.putNextEntry(stored);
      zip.write(large);
      zip.putNextEntry(new ZipEntry("notes/small.txt"));
      zip.write(small);
    }
    return bytes.toByteArray();
  }

  @Test
  void zipFile_readsOnlyTheDirectoryAndTheEntryItNeeds_inAFewGets() throws Exception {
    String bucket = s3.createBucket();
    byte[] large = new byte[24 << 20];
    new Random(3).nextBytes(large);
    byte[] small = "the small entry at the end\n".repeat(50).getBytes(StandardCharsets.UTF_8);
    s3.put(bucket, "a.zip", zip(large, small));
    S3Location at = new S3Location(bucket, "a.zip");
    ObjectInfo info = ObjectStore.await(store.head(at)).orElseThrow();

    RangedObjectChannel channel = new RangedObjectChannel(TestObjects.readingOperations(store), at, info);
    try (ZipFile zip = ZipFile.builder().setSeekableByteChannel(channel).get()) {
      ZipArchiveEntry entry = zip.getEntry("notes/small.txt");
      try (InputStream in = zip.getInputStream(entry)) {
        assertArrayEquals(small, in.readAllBytes());
      }
      assertTrue(channel.gets() <= 4, "the end, the directory and the small entry: " + channel.gets() + " GETs");

      long before = channel.gets();
      try (InputStream in = zip.getInputStream(zip.getEntry("data/large.bin"))) {
        assertArrayEquals(large, in.readAllBytes());
      }
      long forLarge = channel.gets() - before;
      // Windows double while the reads go on from the last one: 24 MiB in 64 KiB..8 MiB windows.
      assertTrue(forLarge <= 12, "the large entry streamed in growing windows: " + forLarge + " GETs");
    }
    assertTrue(!channel.isOpen(), "closing the zip closes the channel");
  }

  @Test
  void read_smallMaxWindow_neverHoldsMoreThanIt() throws Exception {
    String bucket = s3.createBucket();
    byte[] data = new byte[3 << 20];
    new Random(9).nextBytes(data);
    s3.put(bucket, "d.bin", data);
    S3Location at = new S3Location(bucket, "d.bin");
    RangedObjectChannel channel = new RangedObjectChannel(TestObjects.readingOperations(store), at, ObjectStore.await(store.head(at)).orElseThrow(),
        256 * 1024);
    ByteBuffer all = ByteBuffer.allocate(data.length);
    while (all.hasRemaining() && channel.read(all) > 0) {
      // reads go on window by window
    }
    assertArrayEquals(data, all.array());
    assertTrue(channel.gets() >= 12, "3 MiB in windows of at most 256 KiB: " + channel.gets() + " GETs");
  }

  @Test
  void read_objectReplacedAfterOpening_failsInsteadOfMixingVersions() throws Exception {
    String bucket = s3.createBucket();
    byte[] first = new byte[300_000];
    new Random(5).nextBytes(first);
    s3.put(bucket, "x.bin", first);
    S3Location at = new S3Location(bucket, "x.bin");
    RangedObjectChannel channel = new RangedObjectChannel(TestObjects.readingOperations(store), at, ObjectStore.await(store.head(at)).orElseThrow());
    ByteBuffer start = ByteBuffer.allocate(1000);
    channel.read(start);
    assertArrayEquals(java.util.Arrays.copyOf(first, 1000), start.array());

    byte[] second = new byte[300_000];
    new Random(6).nextBytes(second);
    s3.put(bucket, "x.bin", second);
    channel.position(200_000);
    IOException e = assertThrows(IOException.class, () -> channel.read(ByteBuffer.allocateDirect(1000)));
    assertTrue(e.getMessage().contains("x.bin"), e.getMessage());
    assertEquals(300_000, channel.size());
  }
}
