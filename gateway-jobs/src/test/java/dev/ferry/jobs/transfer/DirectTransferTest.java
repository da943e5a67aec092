package dev.ferry.jobs.transfer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.memory.ChunkPool;
import dev.ferry.jobs.remote.FreeSpace;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DirectTransferTest {

  @TempDir
  Path dir;

  /**
   * Each part's command in a real sh and a real curl (reading the ranges of a local file through a
   * file: URL), run in reverse order and then two at once: every range lands at its offset in the
   * one staging file, which is never truncated, whatever the shell.
   */
  @ParameterizedTest
  @ValueSource(strings = {"sh", "bash"})
  void fetchCommand_inAShell_writesEachRangeInPlace(String shell) throws Exception {
    RemoteStaging staging = new RemoteStaging(dir.resolve("we ird $(x) 'q'.bin").toString(), 2);
    Files.createDirectories(Path.of(staging.folder()));
    byte[] object = new byte[3 * 1024 * 1024 + 5];
    new Random(7).nextBytes(object);
    Path source = Files.write(dir.resolve("object.bin"), object);
    List<PartRange> parts = PartRange.split(object.length, 4);
    for (int i = parts.size() - 1; i >= 2; i--) {
      run(shell, DirectTransfer.fetchCommand(staging, parts.get(i), null, source.toUri()));
    }
    Process first = start(shell, DirectTransfer.fetchCommand(staging, parts.get(0), null, source.toUri()));
    Process second = start(shell, DirectTransfer.fetchCommand(staging, parts.get(1), null, source.toUri()));
    assertTrue(first.waitFor(30, TimeUnit.SECONDS) && second.waitFor(30, TimeUnit.SECONDS));
    assertEquals(0, first.exitValue());
    assertEquals(0, second.exitValue());
    assertArrayEquals(object, Files.readAllBytes(Path.of(staging.file())));
    for (PartRange part : parts) {
      assertTrue(Files.exists(Path.of(DirectTransfer.headersFile(staging, part.index()))), "record of " + part);
    }
  }

  private static Process start(String shell, String command) throws Exception {
    return new ProcessBuilder(shell, "-c", command).redirectErrorStream(true).start();
  }

  private static void run(String shell, String command) throws Exception {
    Process process = start(shell, command);
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(30, TimeUnit.SECONDS));
    assertEquals(0, process.exitValue(), output);
  }

  @Test
  void rangeProblem_acceptsOnlyA206OfExactlyThePart_orA200OfTheWholeObject() {
    PartRange second = PartRange.split(100, 4).get(1);
    assertNull(DirectTransfer.rangeProblem("HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 25-49/100\r\n"
        + "Content-Length: 25\r\n\r\n", second, 100));
    assertNull(DirectTransfer.rangeProblem("HTTP/1.1 100 Continue\r\n\r\nHTTP/2 206\r\ncontent-range: bytes 25-49/100"
        + "\r\n\r\n", second, 100));
    String whole = DirectTransfer.rangeProblem("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n", second, 100);
    assertEquals("S3 answered the range 25-49 with status 200 and no Content-Range, not 206 'bytes 25-49/100'", whole);
    assertNotNull(DirectTransfer.rangeProblem("HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 0-24/100\r\n",
        second, 100));
    assertNotNull(DirectTransfer.rangeProblem("", second, 100));
    assertNull(DirectTransfer.rangeProblem("HTTP/1.1 200 OK\r\n\r\n", PartRange.split(100, 1).get(0), 100));
  }

  @Test
  void remoteBytesNeeded_bothModesHoldTheObjectOnly() {
    assertEquals(100, new DirectTransfer().remoteBytesNeeded(100, 1));
    assertEquals(100, new DirectTransfer().remoteBytesNeeded(100, 3));
    assertEquals(0, new DirectTransfer().remoteBytesNeeded(0, 4));
    assertEquals(100, new RelayTransfer(ChunkPool.forTransfers(0)).remoteBytesNeeded(100, 3));
  }

  /** Each part holds two reads: a job's relay holds at most 32 MiB until a part's read is down to 1 MiB. */
  @Test
  void relayReads_boundAJobsMemory() {
    assertEquals(4 << 20, RelayTransfer.chunkFor(1));
    assertEquals(4 << 20, RelayTransfer.chunkFor(4));
    assertEquals(2 << 20, RelayTransfer.chunkFor(8));
    assertEquals(1 << 20, RelayTransfer.chunkFor(64));
    for (int parts = 1; parts <= 16; parts++) {
      assertTrue(2L * parts * RelayTransfer.chunkFor(parts) <= RelayTransfer.JOB_MEMORY, parts + " parts");
    }
  }

  @Test
  void gate_needsFreePercentAboveThresholdAndTheBytesNeeded() {
    FreeSpace space = new FreeSpace(1000, 300, "test");
    assertTrue(FreeSpaceGate.allows(space, 29.9, 300));
    assertFalse(FreeSpaceGate.allows(space, 30, 300));
    assertFalse(FreeSpaceGate.allows(space, 10, 301));
  }
}
