package dev.ferry.core.upload;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.memory.ChunkPool;
import dev.ferry.core.s3.ObjectFacts;
import dev.ferry.core.s3.ObjectInfo;
import dev.ferry.core.s3.S3Location;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The bytes a committed file holds are exactly the bytes written at their offsets, whatever the
 * order, checked against a plain byte-array model of a file.
 */
class OffsetWriterTest {

  private static final int KIB = 1024;
  private static final long WINDOW = 256 * KIB;

  @TempDir
  Path spillDir;

  /** How long a held write waits for memory here: long enough to be a wait, short for a test. */
  private static final Duration WAIT = Duration.ofMillis(300);

  private final MemoryBudget budget = new MemoryBudget(8L << 20, ChunkPool.forTransfers(2L << 20));
  private final ReorderMemory memory = new ReorderMemory(budget, WINDOW, WAIT);
  private final MemorySink sink = new MemorySink();
  private final SpillSpace spillSpace = new SpillSpace(new SpillSpace.Limits(1L << 30, 1L << 30, 1L << 30, WAIT));
  private final SpillShare spill = spillSpace.share("tester");

  @AfterEach
  void nothingLeftBehind() throws IOException {
    assertEquals(0, budget.reservedBytes(), "reorder memory not given back");
    assertEquals(0, spillSpace.used(), "spill space not given back");
    try (Stream<Path> files = Files.list(spillDir)) {
      assertEquals(List.of(), files.toList(), "spill file left behind");
    }
  }

  /**
   * Collects what an upload would receive; start(keep) begins with the existing file's prefix, a
   * copy made inside S3 with the copy's bytes.
   */
  private static final class MemorySink implements OffsetWriter.Sink {
    byte[] existing = new byte[0];
    int existingReads;
    List<String> copiesOf = new ArrayList<>();
    ByteArrayOutputStream received = new ByteArrayOutputStream();
    List<Long> starts = new ArrayList<>();
    Instant clientTime;
    boolean committed;
    String aborted;

    @Override
    public void start(long keepExisting) {
      starts.add(keepExisting);
      received = new ByteArrayOutputStream();
      received.write(existing, 0, (int) keepExisting);
    }

    /** Like the gateway's sink, declines a source whose SHA-256 it does not know. */
    @Override
    public boolean startAsCopyOf(CopySource source) throws IOException {
      if (!source.version().metadata().containsKey(ObjectFacts.SHA256_METADATA)) {
        return false;
      }
      copiesOf.add(source.name());
      received = new ByteArrayOutputStream();
      try (InputStream in = source.bytes().readFrom(0)) {
        in.transferTo(received);
      }
      return true;
    }

    @Override
    public void write(byte[] bytes, int offset, int length) {
      received.write(bytes, offset, length);
    }

    @Override
    public String sha256() {
      return null;
    }

    @Override
    public void setClientTime(Instant time) {
      clientTime = time;
    }

    @Override
    public long commit() {
      committed = true;
      return received.size();
    }

    @Override
    public void abort(String reason) {
      aborted = reason;
    }

    InputStream readFrom(long offset) {
      existingReads++;
      return new ByteArrayInputStream(existing, (int) offset, existing.length - (int) offset);
    }
  }

  private OffsetWriter writer(long spillLimit) {
    return writer(spillLimit, 0);
  }

  private OffsetWriter writer(long spillLimit, long existingSize) {
    return writer(sink, spill, spillLimit, existingSize);
  }

  private OffsetWriter writer(MemorySink into, SpillShare share, long spillLimit, long existingSize) {
    return new OffsetWriter(into, into::readFrom, existingSize, memory, share,
        new OffsetWriter.Settings(WINDOW, spillLimit, spillDir, WAIT), "test upload");
  }

  private static byte[] random(int size, long seed) {
    byte[] data = new byte[size];
    new Random(seed).nextBytes(data);
    return data;
  }

  private static void writeChunks(OffsetWriter writer, byte[] data, List<Integer> order, int chunk) throws IOException {
    for (int index : order) {
      int from = index * chunk;
      writer.write(from, data, from, Math.min(chunk, data.length - from));
    }
  }

  /**
   * A handle opened for reading and writing (sqlite on an sshfs mount) reads what the file holds
   * now, whatever was written, rewritten, truncated or held out of order: checked against a byte
   * array after every step, and the committed file too.
   */
  @ParameterizedTest
  @ValueSource(longs = {21, 22, 23})
  void read_afterRandomWritesAndTruncates_readsWhatTheFileHoldsNow(long seed) throws IOException {
    Random random = new Random(seed);
    sink.existing = random(ExistingBlocks.BLOCK + 300 * KIB, seed);
    byte[] model = sink.existing.clone();
    OffsetWriter writer = writer(1L << 30, model.length);
    writer.openForReading();
    writer.write(model.length, model, 0, 10); // sqlite: a page appended, then its header rewritten
    model = Arrays.copyOf(model, model.length + 10);
    System.arraycopy(model, 0, model, model.length - 10, 10);
    for (int step = 0; step < 200; step++) {
      int operation = random.nextInt(10);
      if (operation < 5) {
        int at = random.nextInt(model.length + 8 * KIB);
        byte[] bytes = random(1 + random.nextInt(12 * KIB), random.nextLong());
        writer.write(at, bytes, 0, bytes.length);
        if (at + bytes.length > model.length) {
          model = Arrays.copyOf(model, at + bytes.length);
        }
        System.arraycopy(bytes, 0, model, at, bytes.length);
      } else if (operation == 5) {
        int size = random.nextInt(model.length + 4 * KIB);
        writer.truncate(size);
        model = Arrays.copyOf(model, size);
      } else {
        int at = random.nextInt(model.length + KIB);
        byte[] read = new byte[1 + random.nextInt(64 * KIB)];
        int n = writer.read(at, read, 0, read.length);
        int expected = Math.min(read.length, model.length - at);
        if (expected <= 0) {
          assertEquals(-1, n, "read at " + at + " of a " + model.length + "-byte file, step " + step);
        } else {
          assertEquals(expected, n, "read at " + at + ", step " + step);
          assertArrayEquals(Arrays.copyOfRange(model, at, at + n), Arrays.copyOf(read, n), "read at " + at + ", step " + step);
        }
      }
    }
    assertEquals(model.length, writer.commit());
    assertArrayEquals(model, sink.received.toByteArray());
  }

  @Test
  void read_ofTheReplacedFile_fetchesEachBlockOnce() throws IOException {
    sink.existing = random(ExistingBlocks.BLOCK + 10 * KIB, 24);
    OffsetWriter writer = writer(1L << 30, sink.existing.length);
    byte[] read = new byte[4 * KIB];
    for (int round = 0; round < 3; round++) {
      for (int at : new int[] {0, 100, ExistingBlocks.BLOCK - 10, ExistingBlocks.BLOCK + 5 * KIB}) {
        int n = writer.read(at, read, 0, read.length);
        assertArrayEquals(Arrays.copyOfRange(sink.existing, at, at + n), Arrays.copyOf(read, n));
      }
    }
    assertEquals(2, sink.existingReads, "one GET per block of the replaced file");
    assertTrue(spillSpace.used() > 0, "the kept blocks count against the spill space");
    assertEquals(sink.existing.length, writer.commit(), "read only: the file is unchanged");
  }

  @Test
  void read_ofBytesSentWithoutSpillCopy_refusedNamingTheLimit() throws IOException {
    OffsetWriter writer = writer(100 * KIB);
    byte[] data = random(200 * KIB, 25);
    writer.write(0, data, 0, data.length);
    byte[] read = new byte[10];
    IOException refused = assertThrows(IOException.class, () -> writer.read(0, read, 0, read.length));
    assertTrue(refused.getMessage().contains("uploads.spillLimit"), refused.getMessage());
    writer.close();
  }

  @Test
  void write_sequential_committedAsWritten() throws IOException {
    byte[] data = random(1_000_000, 1);
    OffsetWriter writer = writer(1L << 30);
    for (int at = 0; at < data.length; at += 32 * KIB) {
      writer.write(at, data, at, Math.min(32 * KIB, data.length - at));
    }
    assertEquals(data.length, writer.commit());
    assertArrayEquals(data, sink.received.toByteArray());
    assertEquals(List.of(0L), sink.starts);
  }

  @Test
  void write_reorderedWithinWindow_withoutSpill_committedInOrder() throws IOException {
    byte[] data = random(2_000_000, 2);
    int chunk = 32 * KIB;
    int chunks = (data.length + chunk - 1) / chunk;
    List<Integer> order = new ArrayList<>();
    // Groups of 4 pipelined writes arriving in reverse: always within the window.
    for (int group = 0; group < chunks; group += 4) {
      for (int i = Math.min(group + 3, chunks - 1); i >= group; i--) {
        order.add(i);
      }
    }
    OffsetWriter writer = writer(0);
    writeChunks(writer, data, order, chunk);
    writer.commit();
    assertArrayEquals(data, sink.received.toByteArray());
    assertEquals(List.of(0L), sink.starts, "reordering must not restart the upload");
  }

  @Test
  void write_farAheadWithoutSpill_refusedAndCommitFails() throws IOException {
    OffsetWriter writer = writer(0);
    writer.write(0, new byte[10], 0, 10);
    IOException refused = assertThrows(IOException.class, () -> writer.write(WINDOW * 4, new byte[10], 0, 10));
    assertTrue(refused.getMessage().contains("reorder window"), refused.getMessage());
    assertThrows(IOException.class, writer::commit);
    assertFalse(sink.committed);
    assertTrue(sink.aborted != null);
  }

  @Test
  void write_gapBeyondWindow_spilledAndHoleReadsZeros() throws IOException {
    byte[] tail = random(300 * KIB, 3);
    byte[] head = random(10 * KIB, 4);
    OffsetWriter writer = writer(1L << 30);
    writer.write(5_000_000, tail, 0, tail.length);
    writer.write(0, head, 0, head.length);
    writer.commit();
    byte[] expected = new byte[5_000_000 + tail.length];
    System.arraycopy(head, 0, expected, 0, head.length);
    System.arraycopy(tail, 0, expected, 5_000_000, tail.length);
    assertArrayEquals(expected, sink.received.toByteArray());
  }

  @Test
  void write_rewriteOfBytesAlreadySent_uploadRestartedFromSpill() throws IOException {
    byte[] data = random(3_000_000, 5);
    byte[] header = random(4 * KIB, 6);
    OffsetWriter writer = writer(1L << 30);
    writer.write(0, data, 0, data.length);
    writer.write(100, header, 0, header.length);
    writer.commit();
    byte[] expected = data.clone();
    System.arraycopy(header, 0, expected, 100, header.length);
    assertArrayEquals(expected, sink.received.toByteArray());
    assertEquals(List.of(0L, 0L), sink.starts);
  }

  @Test
  void write_ofASmallFile_keepsItsCopyInMemory_andAFileOnlyOnceItGrowsPastTheLimit() throws IOException {
    byte[] data = random(3 * SpillFile.IN_MEMORY_LIMIT, 7);
    byte[] header = random(100, 8);
    OffsetWriter writer = writer(1L << 30);
    writer.write(0, data, 0, 4 * KIB);
    writer.write(10, header, 0, header.length); // a rewrite, answered from the copy in memory
    assertEquals(List.of(), spillFiles(), "a 4 KiB file makes no temp file");
    writer.write(4 * KIB, data, 4 * KIB, data.length - 4 * KIB);
    assertEquals(1, spillFiles().size(), "past " + SpillFile.IN_MEMORY_LIMIT + " bytes the copy is a temp file");
    writer.write(20, header, 0, header.length);
    writer.commit();
    byte[] expected = data.clone();
    System.arraycopy(header, 0, expected, 10, header.length);
    System.arraycopy(header, 0, expected, 20, header.length);
    assertArrayEquals(expected, sink.received.toByteArray());
  }

  /**
   * The spill files this process has open: on Linux the JDK unlinks a DELETE_ON_CLOSE file as it
   * opens it, so they are seen among the open descriptors, not in the directory.
   */
  private List<Path> spillFiles() throws IOException {
    try (Stream<Path> descriptors = Files.list(Path.of("/proc/self/fd"))) {
      return descriptors.map(fd -> {
        try {
          return Files.readSymbolicLink(fd);
        } catch (IOException closedMeanwhile) {
          return Path.of("");
        }
      }).filter(target -> target.startsWith(spillDir)).toList();
    }
  }

  @Test
  void write_rewriteBeyondSpillLimit_refusedClearly() throws IOException {
    OffsetWriter writer = writer(100 * KIB);
    byte[] data = random(200 * KIB, 7);
    writer.write(0, data, 0, data.length);
    IOException refused = assertThrows(IOException.class, () -> writer.write(0, data, 0, 10));
    assertTrue(refused.getMessage().contains("rewrites bytes already uploaded"), refused.getMessage());
    assertThrows(IOException.class, writer::commit);
    assertFalse(sink.committed);
  }

  @Test
  void write_atEndOfExistingFileOpenedWithoutTruncate_resumesServerSide() throws IOException {
    sink.existing = random(700 * KIB, 8);
    byte[] more = random(100 * KIB, 9);
    OffsetWriter writer = writer(1L << 30, sink.existing.length);
    assertEquals(sink.existing.length, writer.size());
    writer.write(sink.existing.length, more, 0, more.length);
    writer.commit();
    assertEquals(List.of((long) sink.existing.length), sink.starts);
    byte[] expected = Arrays.copyOf(sink.existing, sink.existing.length + more.length);
    System.arraycopy(more, 0, expected, sink.existing.length, more.length);
    assertArrayEquals(expected, sink.received.toByteArray());
  }

  @Test
  void write_fromStartOfExistingFile_untouchedBytesKeptAndTruncateToWrittenSizeWorks() throws IOException {
    sink.existing = random(500 * KIB, 10);
    byte[] fresh = random(200 * KIB, 11);
    OffsetWriter writer = writer(1L << 30, sink.existing.length);
    writer.write(0, fresh, 0, fresh.length);
    assertEquals(sink.existing.length, writer.size(), "unwritten tail of the old file is still there");
    writer.truncate(fresh.length);
    writer.commit();
    assertArrayEquals(fresh, sink.received.toByteArray());
  }

  @Test
  void write_holeInExistingFileOpenedWithoutTruncate_holeKeepsOldBytes() throws IOException {
    sink.existing = random(400 * KIB, 12);
    byte[] patch = random(KIB, 13);
    OffsetWriter writer = writer(1L << 30, sink.existing.length);
    writer.write(0, patch, 0, patch.length);
    writer.write(300 * KIB, patch, 0, patch.length);
    writer.commit();
    byte[] expected = sink.existing.clone();
    System.arraycopy(patch, 0, expected, 0, patch.length);
    System.arraycopy(patch, 0, expected, 300 * KIB, patch.length);
    assertArrayEquals(expected, sink.received.toByteArray());
  }

  @Test
  void commit_existingFileNothingWritten_objectLeftUntouched() throws IOException {
    sink.existing = random(10 * KIB, 14);
    OffsetWriter writer = writer(1L << 30, sink.existing.length);
    assertEquals(sink.existing.length, writer.commit());
    assertEquals(List.of(), sink.starts, "an untouched file must not be uploaded or copied again");
    assertFalse(sink.committed);
    assertTrue(sink.aborted != null, "the sink must let go of the path");
  }

  @Test
  void commit_existingFileOnlyMtimeSet_keptServerSideWithIt() throws IOException {
    sink.existing = random(10 * KIB, 14);
    OffsetWriter writer = writer(1L << 30, sink.existing.length);
    writer.setClientTime(Instant.ofEpochSecond(1_700_000_000));
    writer.commit();
    assertEquals(List.of((long) sink.existing.length), sink.starts);
    assertArrayEquals(sink.existing, sink.received.toByteArray());
    assertEquals(Instant.ofEpochSecond(1_700_000_000), sink.clientTime);
  }

  @Test
  void write_atOldEndAfterTruncateToZero_isNotAResume() throws IOException {
    sink.existing = random(100 * KIB, 16);
    byte[] more = random(KIB, 17);
    OffsetWriter writer = writer(1L << 30, sink.existing.length);
    writer.truncate(0);
    writer.write(sink.existing.length, more, 0, more.length);
    writer.commit();
    byte[] expected = new byte[sink.existing.length + more.length];
    System.arraycopy(more, 0, expected, sink.existing.length, more.length);
    assertArrayEquals(expected, sink.received.toByteArray(), "the truncated bytes must read as zeros");
  }

  @Test
  void write_aheadWhileThereIsASpillFile_heldThereAndNotInMemory() throws IOException {
    byte[] data = random(200 * KIB, 40);
    OffsetWriter writer = writer(1L << 30);
    writer.write(64 * KIB, data, 64 * KIB, data.length - 64 * KIB);
    assertEquals(0, budget.reservedBytes(), "the spill file has the bytes: no second copy in memory");
    writer.write(0, data, 0, 64 * KIB);
    writer.commit();
    assertArrayEquals(data, sink.received.toByteArray());
  }

  @Test
  void write_aheadInTwoFilesOfOneSession_beyondItsWindowTogether_failsAtOnceNamingTheSetting() throws IOException {
    byte[] data = random((int) WINDOW, 41);
    OffsetWriter first = writer(0);
    MemorySink otherSink = new MemorySink();
    OffsetWriter second = new OffsetWriter(otherSink, otherSink::readFrom, 0, memory, spill,
        new OffsetWriter.Settings(WINDOW, 0, spillDir, WAIT), "second upload");
    first.write(KIB, data, 0, (int) WINDOW - KIB);
    assertEquals(WINDOW, memory.heldBytes());

    long started = System.nanoTime();
    IOException refused = assertThrows(IOException.class, () -> second.write(KIB, data, 0, 10));
    assertTrue(refused.getMessage().contains("second upload") && refused.getMessage().contains("uploads.reorderWindow"),
        refused.getMessage());
    assertTrue(System.nanoTime() - started < WAIT.toNanos(), "refused without waiting for itself");
    first.abort("test over");
    assertEquals(0, memory.heldBytes());
  }

  @Test
  void write_aheadWhileOtherUploadsHoldTheBudget_waitsThenFailsNamingTheSetting() throws IOException {
    int half = MemoryBudget.chunksFor(budget.capacityBytes()) / 2;
    assertTrue(budget.takeForHeld(half, Duration.ZERO), "other sessions hold all that held bytes may have");
    try {
      OffsetWriter writer = writer(0);
      writer.write(0, new byte[10], 0, 10);
      long started = System.nanoTime();
      IOException failed = assertThrows(IOException.class, () -> writer.write(KIB, new byte[10], 0, 10));
      assertTrue(failed.getMessage().contains("test upload") && failed.getMessage().contains("uploads.memoryBudget"),
          failed.getMessage());
      assertTrue(System.nanoTime() - started >= WAIT.toNanos(), "failed before waiting");
      assertThrows(IOException.class, writer::commit);
      assertFalse(sink.committed);
    } finally {
      budget.give(half);
    }
  }

  @Test
  void write_insideHeldBytes_budgetGivenBackExactly() throws IOException {
    byte[] data = random(128 * KIB, 18);
    OffsetWriter writer = writer(0);
    writer.write(64 * KIB, data, 64 * KIB, 64 * KIB);
    writer.write(96 * KIB, data, 96 * KIB, 1);
    assertEquals(MemoryBudget.CHUNK_SIZE, budget.reservedBytes(), "held bytes take one chunk");
    writer.write(0, data, 0, 64 * KIB);
    assertEquals(0, budget.reservedBytes(), "nothing held once the gap is filled");
    writer.commit();
    assertArrayEquals(data, sink.received.toByteArray());
  }

  @Test
  void truncate_belowStreamedBytes_rebuiltFromSpill() throws IOException {
    byte[] data = random(600 * KIB, 15);
    OffsetWriter writer = writer(1L << 30);
    writer.write(0, data, 0, data.length);
    writer.truncate(100 * KIB);
    writer.truncate(150 * KIB);
    writer.commit();
    byte[] expected = new byte[150 * KIB];
    System.arraycopy(data, 0, expected, 0, 100 * KIB);
    assertArrayEquals(expected, sink.received.toByteArray());
  }

  @Test
  void close_withoutCommit_abortsAndNeverCommits() throws IOException {
    OffsetWriter writer = writer(1L << 30);
    writer.write(10, new byte[100], 0, 100);
    writer.close();
    assertFalse(sink.committed);
    assertTrue(sink.aborted != null);
    assertThrows(IOException.class, writer::commit);
  }

  private static final Map<String, String> HASHED = Map.of(ObjectFacts.SHA256_METADATA, "00ff");

  private static CopySource copySource(String name, byte[] data, Map<String, String> metadata) {
    return new CopySource(name, new S3Location("b", name), new ObjectInfo(name, data.length, Instant.EPOCH,
        "\"etag-of-" + name + "\"", metadata), offset -> new ByteArrayInputStream(data, (int) offset, data.length - (int) offset));
  }

  @Test
  void startAsCopyOf_committedUntouched_isTheCopyAlone() throws IOException {
    byte[] copied = random(700 * KIB, 40);
    OffsetWriter writer = writer(1L << 30);

    assertTrue(writer.startAsCopyOf(copySource("/src", copied, HASHED)));
    assertEquals(copied.length, writer.size());
    writer.truncate(copied.length); // what a client setting the size it already has sends

    assertEquals(copied.length, writer.commit());
    assertArrayEquals(copied, sink.received.toByteArray());
    assertEquals(List.of("/src"), sink.copiesOf);
    assertEquals(List.of(), sink.starts, "no upload of bytes was started");
  }

  /** Bytes after the copy, pipelined out of order: the source's bytes pass through first, then theirs. */
  @Test
  void startAsCopyOf_thenWritesAfterIt_sourceBytesPassThroughBeforeThem() throws IOException {
    byte[] copied = random(700 * KIB, 41);
    byte[] more = random(200 * KIB, 42);
    OffsetWriter writer = writer(1L << 30);
    assertTrue(writer.startAsCopyOf(copySource("/src", copied, HASHED)));

    writer.write(copied.length + 100 * KIB, more, 100 * KIB, 100 * KIB);
    writer.write(copied.length, more, 0, 100 * KIB);

    assertEquals(copied.length + more.length, writer.commit());
    byte[] expected = Arrays.copyOf(copied, copied.length + more.length);
    System.arraycopy(more, 0, expected, copied.length, more.length);
    assertArrayEquals(expected, sink.received.toByteArray());
    assertEquals(List.of(0L), sink.starts, "the copy was dropped for an upload of the bytes from 0");
  }

  @Test
  void startAsCopyOf_thenRewriteInsideIt_committedWithTheRewrite() throws IOException {
    byte[] copied = random(700 * KIB, 43);
    byte[] patch = random(KIB, 44);
    OffsetWriter writer = writer(1L << 30);
    assertTrue(writer.startAsCopyOf(copySource("/src", copied, HASHED)));

    writer.write(10, patch, 0, patch.length);

    assertEquals(copied.length, writer.commit());
    byte[] expected = copied.clone();
    System.arraycopy(patch, 0, expected, 10, patch.length);
    assertArrayEquals(expected, sink.received.toByteArray());
  }

  /** Only the bytes kept pass through: a copy larger than the spill limit shrinks too. */
  @Test
  void startAsCopyOf_thenShorterTruncate_committedShorter() throws IOException {
    byte[] copied = random(700 * KIB, 45);
    OffsetWriter writer = writer(100 * KIB);
    assertTrue(writer.startAsCopyOf(copySource("/src", copied, HASHED)));

    writer.truncate(1000);

    assertEquals(1000, writer.commit());
    assertArrayEquals(Arrays.copyOf(copied, 1000), sink.received.toByteArray());
  }

  @Test
  void startAsCopyOf_largerThanTheSpillLimit_writeInsideFailsBeforeAnyByteMoves() throws IOException {
    byte[] copied = random(700 * KIB, 49);
    OffsetWriter writer = writer(100 * KIB);
    assertTrue(writer.startAsCopyOf(copySource("/src", copied, HASHED)));

    IOException refused = assertThrows(IOException.class, () -> writer.write(10, new byte[10], 0, 10));

    assertTrue(refused.getMessage().contains("changes the copy of /src"), refused.getMessage());
    assertEquals(List.of(), sink.starts, "no byte of the copy was sent");
    assertTrue(sink.aborted != null, "the upload is aborted");
  }

  /** Each of these leaves the copy to the caller, byte by byte, and changes nothing. */
  @Test
  void startAsCopyOf_fileWithBytesOrSizeOrSourceWithoutChecksum_declined() throws IOException {
    byte[] data = random(KIB, 46);
    OffsetWriter written = writer(1L << 30);
    written.write(0, new byte[] {1, 2, 3}, 0, 3);
    assertFalse(written.startAsCopyOf(copySource("/src", data, HASHED)), "file has bytes");
    OffsetWriter sized = writer(1L << 30);
    sized.truncate(10);
    assertFalse(sized.startAsCopyOf(copySource("/src", data, HASHED)), "file has a size");
    OffsetWriter unhashed = writer(1L << 30);
    assertFalse(unhashed.startAsCopyOf(copySource("/src", data, Map.of())), "no SHA-256");

    assertEquals(3, written.commit());
    assertArrayEquals(new byte[] {1, 2, 3}, sink.received.toByteArray());
    assertEquals(List.of(), sink.copiesOf);
    sized.close();
    unhashed.close();
  }

  @Test
  void setClientTime_beforeCommit_reachesTheSink() throws IOException {
    OffsetWriter writer = writer(1L << 30);
    writer.setClientTime(Instant.ofEpochSecond(1_700_000_000, 5));
    writer.commit();
    assertEquals(Instant.ofEpochSecond(1_700_000_000, 5), sink.clientTime);
    assertNull(sink.aborted);
  }

  /**
   * Random writes (pipelined reorders, overlaps, rewrites, gaps, truncates) against a byte-array
   * model of the file: with a spill copy every pattern must come out exact.
   */
  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
  void write_randomPattern_withSpill_equalsModel(long seed) throws IOException {
    Random random = new Random(seed);
    byte[] model = new byte[0];
    int existing = random.nextBoolean() ? 0 : random.nextInt(600 * KIB);
    sink.existing = random(existing, seed * 31);
    model = sink.existing.clone();
    OffsetWriter writer = writer(1L << 30, existing);
    int operations = 200 + random.nextInt(200);
    long position = 0;   // resuming (a first write at the old end) forbids rewrites below it: its own test
    for (int i = 0; i < operations; i++) {
      int kind = i == 0 ? 0 : random.nextInt(100);
      int length = 1 + random.nextInt(40 * KIB);
      long at;
      if (kind < 60) {
        at = position;                                   // sequential
      } else if (kind < 80) {
        at = Math.max(0, position + random.nextInt(6) * 32 * KIB - 64 * KIB);   // pipelined reorder
      } else if (kind < 90) {
        at = random.nextInt(Math.max(1, model.length + 1));                       // rewrite anywhere
      } else if (kind < 97) {
        at = position + WINDOW + random.nextInt(500 * KIB);                       // far gap
      } else {
        long newSize = random.nextInt(Math.max(1, model.length + 1));
        writer.truncate(newSize);
        model = Arrays.copyOf(model, (int) newSize);
        continue;
      }
      byte[] bytes = random(length, seed * 1000 + i);
      writer.write(at, bytes, 0, length);
      if (at + length > model.length) {
        model = Arrays.copyOf(model, (int) (at + length));
      }
      System.arraycopy(bytes, 0, model, (int) at, length);
      position = at + length;
    }
    assertEquals(model.length, writer.size());
    assertEquals(model.length, writer.commit());
    assertArrayEquals(model, sink.received.toByteArray());
  }

  /** Without a spill copy, shuffled writes within the window still come out exact. */
  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {21, 22, 23, 24})
  void write_shuffledWithinWindow_withoutSpill_equalsModel(long seed) throws IOException {
    byte[] data = random(3_000_000, seed);
    int chunk = 32 * KIB;
    int chunks = (data.length + chunk - 1) / chunk;
    List<Integer> order = new ArrayList<>();
    Random random = new Random(seed);
    int perGroup = (int) (WINDOW / chunk);
    for (int group = 0; group < chunks; group += perGroup) {
      List<Integer> members = new ArrayList<>();
      for (int i = group; i < Math.min(group + perGroup, chunks); i++) {
        members.add(i);
      }
      Collections.shuffle(members, random);
      order.addAll(members);
    }
    OffsetWriter writer = writer(0);
    writeChunks(writer, data, order, chunk);
    writer.commit();
    assertArrayEquals(data, sink.received.toByteArray());
  }

  /** A share of a space with these limits, for the spill budget's tests. */
  private static SpillShare smallShare(SpillSpace space) {
    return space.share("tester");
  }

  @Test
  void write_aheadBeyondTheSessionsSpillShare_failsNamingIt_andGivesEverythingBack() throws IOException {
    SpillSpace small = new SpillSpace(new SpillSpace.Limits(8L << 20, 8L << 20, 1L << 20, WAIT));
    OffsetWriter writer = writer(sink, smallShare(small), 64L << 20, 0);
    byte[] data = random(1 << 20, 51);
    writer.write(0, data, 0, 256 * KIB);
    IOException refused = assertThrows(IOException.class, () -> writer.write(2L << 20, data, 0, data.length));
    assertTrue(refused.getMessage().contains("uploads.spillPerSession (1048576 bytes)"), refused.getMessage());
    assertEquals(0, small.used(), "the failed upload gave its spill space back");
  }

  @Test
  void write_inOrderWithoutSpillRoom_dropsTheCopy_andUploadsTheSameBytes() throws IOException {
    SpillSpace small = new SpillSpace(new SpillSpace.Limits(1L << 20, 1L << 20, 1L << 20, WAIT));
    OffsetWriter writer = writer(sink, smallShare(small), 64L << 20, 0);
    byte[] data = random(4 << 20, 52);
    for (int at = 0; at < data.length; at += 64 * KIB) {
      writer.write(at, data, at, 64 * KIB);
      assertTrue(small.used() <= 1L << 20, "spill space used " + small.used());
    }
    assertEquals(data.length, writer.commit());
    assertArrayEquals(data, sink.received.toByteArray());
    assertEquals(0, small.used());
  }

  @Test
  void write_aheadWhileTheBudgetIsFull_waitsForRoom_thenFailsNamingTheBudget() throws Exception {
    SpillSpace small = new SpillSpace(new SpillSpace.Limits(1L << 20, 1L << 20, 1L << 20, WAIT));
    SpillShare other = small.share("other");
    OffsetWriter full = writer(new MemorySink(), other, 64L << 20, 0);
    byte[] data = random(1 << 20, 53);
    full.write(4096, data, 0, data.length); // held ahead: the whole budget
    OffsetWriter writer = writer(sink, smallShare(small), 64L << 20, 0);
    long started = System.nanoTime();
    IOException refused = assertThrows(IOException.class, () -> writer.write(4096, data, 0, 4096));
    assertTrue(System.nanoTime() - started >= WAIT.toNanos(), "it waited for room first");
    assertTrue(refused.getMessage().contains("uploads.spillBudget (1048576 bytes)")
        || refused.getMessage().contains("uploads.spillPerUser"), refused.getMessage());
    full.abort("test over");
    full.close();
    assertEquals(0, small.used());
  }

  @Test
  void truncate_givesTheCutBytesBack() throws IOException {
    OffsetWriter writer = writer(64L << 20);
    byte[] data = random(512 * KIB, 54);
    writer.write(0, data, 0, data.length);
    assertEquals(data.length, spillSpace.used());
    writer.truncate(128 * KIB);
    assertEquals(128 * KIB, spillSpace.used());
    writer.commit();
    assertEquals(0, spillSpace.used());
  }
}
