package dev.ferry.core.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The test servers' ports come from below Linux's ephemeral range, where no outgoing connection
 * takes them (or connects to itself) while a server restarts on its port.
 */
class FreePortsTest {

  private static final Path RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");

  @Test
  void ephemeralLow_isTheFirstNumberOfTheKernelsRange() throws IOException {
    String range = new String(Files.newInputStream(RANGE).readAllBytes()).trim();
    assertEquals(Integer.parseInt(range.split("\\s+")[0]), FreePorts.ephemeralLow(), range);
  }

  @Test
  void freePorts_areBelowTheEphemeralRange_andNotHandedOutTwice() {
    int low = FreePorts.ephemeralLow();
    int first = FreePorts.freePort();
    int second = FreePorts.freePort();
    assertTrue(first >= 20000 && first < low, first + " against the range from " + low);
    assertTrue(second >= 20000 && second < low, second + " against the range from " + low);
    assertTrue(first != second);
  }
}
