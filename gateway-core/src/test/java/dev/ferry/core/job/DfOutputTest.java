package dev.ferry.core.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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

  @Test
  void parse_garbage_isAnError() {
    assertThrows(JobException.class, () -> DfOutput.parse("df: /nope: No such file or directory"));
    assertThrows(JobException.class, () -> DfOutput.parse("Filesystem 1024-blocks\nnot numbers here"));
  }
}
