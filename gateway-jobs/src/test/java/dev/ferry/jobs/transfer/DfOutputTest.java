package dev.ferry.jobs.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.jobs.engine.JobException;
import dev.ferry.jobs.remote.FreeSpace;
import org.junit.jupiter.api.Test;

class DfOutputTest {

  @Test
  void parse_gnuDfP_totalAndAvailable() throws Exception {
    FreeSpace space = DfOutput.parse("""
        Filesystem     1024-blocks     Used Available Capacity Mounted on
        /dev/sda1         41152812 20576406  18462764      53% /
        """);
    assertEquals(41152812L * 1024, space.totalBytes());
    assertEquals(18462764L * 1024, space.availableBytes());
  }

  @Test
  void parse_filesystemNameWithSpaces_readFromTheEnd() throws Exception {
    FreeSpace space = DfOutput.parse("Filesystem 1024-blocks Used Available Capacity Mounted on\n"
        + "my share (x)  100 40 60 40% /mnt/my share\n");
    assertEquals(60 * 1024, space.availableBytes());
    assertEquals(60.0, space.percentFree(), 0.001);
  }

  /** The fallback's real input: this machine's df, in the format the remote's df prints. */
  @Test
  void parse_thisMachinesDf_matchesJavasFigures() throws Exception {
    Process df = new ProcessBuilder("df", "-P", "-k", "/").start();
    String out = new String(df.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertEquals(0, df.waitFor());
    FreeSpace space = DfOutput.parse(out);
    long total = java.nio.file.Files.getFileStore(java.nio.file.Path.of("/")).getTotalSpace();
    assertEquals(total, space.totalBytes(), total / 100.0);
    assertTrue(space.availableBytes() > 0 && space.availableBytes() <= space.totalBytes());
  }

  @Test
  void parse_garbage_isAnError() {
    assertThrows(JobException.class, () -> DfOutput.parse("df: /nope: No such file or directory"));
    assertThrows(JobException.class, () -> DfOutput.parse("Filesystem 1024-blocks\nnot numbers here"));
  }
}
