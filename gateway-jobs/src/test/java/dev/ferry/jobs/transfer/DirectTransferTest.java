package dev.ferry.jobs.transfer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.memory.ChunkPool;
import dev.ferry.jobs.remote.FreeSpace;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectTransferTest {

  @TempDir
  Path dir;

  /** Runs the assembly line in a real sh, on part files named as the remote's would be. */
  @Test
  void assembly_inAShell_joinsPartsInOrderAndLeavesOnlyTheAssembledFile() throws Exception {
    RemoteStaging staging = new RemoteStaging(dir.resolve("we ird $(x) 'q'.bin").toString(), 2);
    Path folder = Files.createDirectories(Path.of(staging.folder()));
    List<PartRange> parts = PartRange.split(10, 3);
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    for (PartRange part : parts) {
      byte[] bytes = ("p" + part.index() + "x".repeat((int) part.length() - 2)).getBytes(StandardCharsets.US_ASCII);
      Files.write(Path.of(staging.partFile(part.index())), bytes);
      expected.write(bytes);
    }
    Process shell = new ProcessBuilder("sh", "-c", DirectTransfer.assembly(staging, parts)).inheritIO().start();
    shell.waitFor(10, TimeUnit.SECONDS);
    assertEquals(0, shell.exitValue());
    assertArrayEquals(expected.toByteArray(), Files.readAllBytes(Path.of(staging.assembled())));
    try (var left = Files.list(folder)) {
      assertEquals(List.of(Path.of(staging.assembled())), left.toList());
    }
  }

  @Test
  void assembly_onePart_isAMove() throws Exception {
    RemoteStaging staging = new RemoteStaging(dir.resolve("one.bin").toString(), 1);
    Files.createDirectories(Path.of(staging.folder()));
    Files.writeString(Path.of(staging.partFile(0)), "all");
    Process shell = new ProcessBuilder("sh", "-c", DirectTransfer.assembly(staging, PartRange.split(3, 1))).start();
    shell.waitFor(10, TimeUnit.SECONDS);
    assertEquals(0, shell.exitValue());
    assertEquals("all", Files.readString(Path.of(staging.assembled())));
    assertFalse(Files.exists(Path.of(staging.partFile(0))));
  }

  @Test
  void remoteBytesNeeded_directHoldsTheObjectPlusItsLargestPart_relayTheObject() {
    assertEquals(100, new DirectTransfer().remoteBytesNeeded(100, 1));
    assertEquals(100 + 34, new DirectTransfer().remoteBytesNeeded(100, 3));
    assertEquals(0, new DirectTransfer().remoteBytesNeeded(0, 4));
    assertEquals(100, new RelayTransfer(ChunkPool.forRanges(0)).remoteBytesNeeded(100, 3));
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
