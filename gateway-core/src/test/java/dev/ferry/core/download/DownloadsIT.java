package dev.ferry.core.download;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.memory.ChunkPool;
import dev.ferry.core.s3.ObjectInfo;
import dev.ferry.core.s3.S3Location;
import dev.ferry.core.store.ObjectStore;
import dev.ferry.core.testing.S3TestServer;
import dev.ferry.core.testing.TestObjects;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

class DownloadsIT {

  @RegisterExtension
  static final S3TestServer s3 = new S3TestServer();

  private static final int RANGE = 256 * 1024;
  /** Longer than any test here needs: only the stalled-reader test waits it out, with its own. */
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static ObjectStore store;

  @BeforeAll
  static void openStore() {
    store = new ObjectStore(new ObjectStore.Settings(s3.endpoint(), s3.region(), s3.accessKey(), s3.secretKey(),
        true, 16));
  }

  @AfterAll
  static void closeStore() {
    store.close();
  }

  /** Downloads whose pool keeps idle what Ferry's would keep for downloads alone. */
  private static Downloads downloads(DownloadSettings settings) {
    return new Downloads(store, settings, ChunkPool.forTransfers(Downloads.idleBytesFor(settings)));
  }

  @Test
  void open_fromStartAndFromOffsets_readsExactlyTheBytesAfterTheOffset() throws IOException {
    byte[] data = TestObjects.randomBytes(3 * RANGE + 12_345);
    S3Location file = TestObjects.upload(s3, data);
    Downloads downloads = downloads(new DownloadSettings(RANGE, 3, 8L * RANGE, 8L * RANGE, WAIT));

    for (boolean wholeFile : new boolean[] {false, true}) {
      for (long offset : new long[] {0, 1, RANGE - 1, RANGE, 2L * RANGE + 7, data.length - 1, data.length}) {
        try (InputStream in = downloads.open(file, TestObjects.head(store, file), offset, wholeFile, downloads.newShare())) {
          assertArrayEquals(Arrays.copyOfRange(data, (int) offset, data.length), in.readAllBytes(),
              "offset " + offset + (wholeFile ? ", whole-file reader" : ""));
        }
      }
    }
    assertEquals(0, downloads.heldBytes(), "every range given back");
  }

  @Test
  void downloads_oneAfterAnother_readTheirOwnBytesFromChunksTheOtherGaveBack() throws IOException {
    byte[] first = TestObjects.randomBytes(3 * RANGE + 12_345);
    byte[] second = TestObjects.randomBytes(2 * RANGE + 777); // ends mid-chunk: a chunk's old tail must not show
    S3Location one = TestObjects.upload(s3, first);
    S3Location two = TestObjects.upload(s3, second);
    DownloadSettings settings = new DownloadSettings(RANGE, 3, 8L * RANGE, 8L * RANGE, WAIT);
    ChunkPool chunks = ChunkPool.forTransfers(Downloads.idleBytesFor(settings));
    Downloads downloads = new Downloads(store, settings, chunks);

    try (InputStream in = downloads.open(one, TestObjects.head(store, one), 0, true, downloads.newShare())) {
      assertArrayEquals(first, in.readAllBytes());
    }
    int given = chunks.idleChunks();
    assertTrue(given > 0, "the first download's chunks came back");
    try (InputStream in = downloads.open(two, TestObjects.head(store, two), 5, false, downloads.newShare())) {
      assertArrayEquals(Arrays.copyOfRange(second, 5, second.length), in.readAllBytes());
    }
    assertTrue(chunks.idleChunks() <= 8L * RANGE / ChunkPool.CHUNK_SIZE, "idle chunks within the budget");
    assertEquals(0, downloads.heldBytes());
  }

  @Test
  void download_inChunksGivenBackFullOfAnUploadsBytes_readsOnlyItsOwn() throws Exception {
    byte[] data = TestObjects.randomBytes(RANGE + 333); // ends mid-chunk: the old bytes must not show
    S3Location file = TestObjects.upload(s3, data);
    // The pool Ferry's uploads share: their parts' chunks come back full of the bytes they sent.
    ChunkPool chunks = ChunkPool.forTransfers(1L << 20);
    List<byte[]> parts = new ArrayList<>();
    for (int i = 0; i < (1 << 20) / ChunkPool.CHUNK_SIZE; i++) {
      byte[] chunk = chunks.take();
      Arrays.fill(chunk, (byte) 0x55);
      parts.add(chunk);
    }
    parts.forEach(chunks::giveBack);
    int idle = chunks.idleChunks();
    Downloads downloads = new Downloads(store, new DownloadSettings(RANGE, 3, 8L * RANGE, 8L * RANGE, WAIT), chunks);

    try (InputStream in = downloads.open(file, TestObjects.head(store, file), 0, true, downloads.newShare())) {
      assertArrayEquals(data, in.readAllBytes());
    }
    assertEquals(idle, chunks.idleChunks(), "the download read into those chunks and gave them back");
  }

  @Test
  void read_afterTheFileWasOverwritten_failsInsteadOfMixingVersions() throws IOException {
    byte[] data = TestObjects.randomBytes(6 * RANGE);
    S3Location file = TestObjects.upload(s3, data);
    Downloads downloads = downloads(new DownloadSettings(RANGE, 1, RANGE, RANGE, WAIT));

    try (InputStream in = downloads.open(file, TestObjects.head(store, file), 0, false, downloads.newShare())) {
      assertEquals(RANGE, in.readNBytes(RANGE).length);
      byte[] changed = data.clone();
      changed[changed.length - 1] ^= 1;
      s3.put(file.bucket(), file.key(), changed);
      IOException error = assertThrows(IOException.class, in::readAllBytes);
      assertTrue(error.getMessage().contains("changed in S3 during the download"), error.getMessage());
    }
    assertEquals(0, downloads.heldBytes());
  }

  @Test
  void read_ofAFewBytes_fetchesOneSmallRangeOnly_thenReadsAheadWhenSequential() throws IOException {
    S3Location file = TestObjects.upload(s3, TestObjects.randomBytes(40 * RANGE));
    Downloads downloads = downloads(new DownloadSettings(4 * RANGE, 4, 32L * RANGE, 32L * RANGE, WAIT));

    try (InputStream in = downloads.open(file, TestObjects.head(store, file), 5 * RANGE, false, downloads.newShare())) {
      assertEquals(100, in.readNBytes(100).length);
      assertEquals(RangedDownload.FIRST_RANGE_SIZE, downloads.heldBytes(), "a random read holds its short first range");
      in.readNBytes(RangedDownload.FIRST_RANGE_SIZE);
      assertEquals(5 * 4L * RANGE, downloads.heldBytes(), "a sequential reader has one range and four ahead");
    }
  }

  @Test
  void read_byAWholeFileReader_readsAheadFromTheFirstByte() throws IOException {
    S3Location file = TestObjects.upload(s3, TestObjects.randomBytes(40 * RANGE));
    Downloads downloads = downloads(new DownloadSettings(4 * RANGE, 4, 32L * RANGE, 32L * RANGE, WAIT));

    try (InputStream in = downloads.open(file, TestObjects.head(store, file), 0, true, downloads.newShare())) {
      assertEquals(100, in.readNBytes(100).length);
      assertEquals(5 * 4L * RANGE, downloads.heldBytes(), "one range being read and four ahead");
    }
  }

  @Test
  void close_midFile_givesEveryRangeBack() throws IOException {
    S3Location file = TestObjects.upload(s3, TestObjects.randomBytes(10 * RANGE));
    Downloads downloads = downloads(new DownloadSettings(RANGE, 4, 4L * RANGE, 4L * RANGE, WAIT));

    InputStream in = downloads.open(file, TestObjects.head(store, file), 0, false, downloads.newShare());
    assertEquals(100, in.readNBytes(100).length);
    in.close();

    assertEquals(0, downloads.heldBytes());
  }

  @Test
  void twoDownloads_withRoomForOneRange_bothFinish() throws Exception {
    byte[] data = TestObjects.randomBytes(5 * RANGE + 1);
    S3Location file = TestObjects.upload(s3, data);
    Downloads downloads = downloads(new DownloadSettings(RANGE, 4, RANGE, RANGE, WAIT));
    ObjectInfo info = TestObjects.head(store, file);

    CompletableFuture<byte[]> first = CompletableFuture.supplyAsync(() -> readAll(downloads, file, info));
    CompletableFuture<byte[]> second = CompletableFuture.supplyAsync(() -> readAll(downloads, file, info));

    assertArrayEquals(data, first.get(60, TimeUnit.SECONDS));
    assertArrayEquals(data, second.get(60, TimeUnit.SECONDS));
    assertEquals(0, downloads.heldBytes());
  }

  @Test
  @Timeout(60) // a download that waits for ever hangs here
  void download_whileAStalledReaderHoldsAllTheMemory_failsAfterTheWaitWithTheReason() throws Exception {
    byte[] data = TestObjects.randomBytes(3 * RANGE);
    S3Location file = TestObjects.upload(s3, data);
    Duration wait = Duration.ofMillis(500);
    Downloads downloads = downloads(new DownloadSettings(RANGE, 1, RANGE, RANGE, wait));
    ObjectInfo info = TestObjects.head(store, file);

    try (InputStream stalled = downloads.open(file, info, 0, false, downloads.newShare())) {
      assertEquals(10, stalled.readNBytes(10).length); // holds the only range, then reads no more
      long started = System.nanoTime();
      IOException error = assertThrows(IOException.class, () -> {
        try (InputStream waiting = downloads.open(file, info, 0, false, downloads.newShare())) {
          waiting.readNBytes(10);
        }
      });
      assertTrue(error.getMessage().contains("downloads.memoryBudget") && error.getMessage().contains(file.toString()),
          error.getMessage());
      assertTrue(System.nanoTime() - started >= wait.toNanos(), "failed before the wait was over");
      assertArrayEquals(Arrays.copyOfRange(data, 10, data.length), stalled.readAllBytes(), "the stalled reader goes on");
    }
    assertEquals(0, downloads.heldBytes());
    assertArrayEquals(data, readAll(downloads, file, info), "the next download runs");
  }

  @Test
  void read_ofASmallFile_holdsItsBytesNotARange_andNothingOnceReadToTheEnd() throws IOException {
    S3Location file = TestObjects.upload(s3, "hello".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    Downloads downloads = downloads(new DownloadSettings(4 * RANGE, 4, 32L * RANGE, 32L * RANGE, WAIT));
    ObjectInfo info = TestObjects.head(store, file);

    try (InputStream in = downloads.open(file, info, 0, true, downloads.newShare())) {
      assertEquals(5, downloads.heldBytes(), "a 5-byte file holds 5 bytes");
      assertArrayEquals("hello".getBytes(java.nio.charset.StandardCharsets.US_ASCII), in.readNBytes(5));
      assertEquals(0, downloads.heldBytes(), "read to its end, still open, it holds nothing");
    }
  }

  @Test
  void downloads_ofOneSessionBeyondItsShare_failAtOnceNamingTheSetting_whileAnotherSessionReads() throws Exception {
    byte[] data = TestObjects.randomBytes(12 * RANGE);
    S3Location file = TestObjects.upload(s3, data);
    ObjectInfo info = TestObjects.head(store, file);
    // A budget of 16 ranges, a session's share of 4: one file reading ahead and the first range of a second fill it.
    Downloads downloads = downloads(new DownloadSettings(RANGE, 4, 16L * RANGE, 4L * RANGE, WAIT));
    DownloadShare greedy = downloads.newShare();

    java.util.List<InputStream> held = new java.util.ArrayList<>();
    try {
      InputStream first = downloads.open(file, info, 0, true, greedy);
      held.add(first);
      first.readNBytes(10);
      assertEquals(3L * RANGE, greedy.heldBytes(), "read-ahead leaves a range of the share for a second file");
      InputStream second = downloads.open(file, info, 0, false, greedy);
      held.add(second);
      second.readNBytes(10);
      assertEquals(4L * RANGE, greedy.heldBytes(), "the second file's first range");
      long started = System.nanoTime();
      IOException refused = assertThrows(IOException.class, () -> downloads.open(file, info, 0, false, greedy));
      assertTrue(refused.getMessage().contains("downloads.sessionShare") && refused.getMessage().contains(file.toString()),
          refused.getMessage());
      assertTrue(System.nanoTime() - started < WAIT.toNanos() / 2, "refused without waiting");

      assertArrayEquals(data, readAll(downloads, file, info), "another session reads the whole file");
    } finally {
      for (InputStream in : held) {
        in.close();
      }
    }
    assertEquals(0, greedy.heldBytes());
    assertEquals(0, downloads.heldBytes());
  }

  private static byte[] readAll(Downloads downloads, S3Location file, ObjectInfo info) {
    try (InputStream in = downloads.open(file, info, 0, false, downloads.newShare())) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
