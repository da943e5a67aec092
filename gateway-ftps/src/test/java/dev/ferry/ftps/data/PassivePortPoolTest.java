package dev.ferry.ftps.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ferry.core.testing.FreePorts;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Which ports the pool hands out and takes back, and what it logs (slf4j-simple writes to stderr). */
class PassivePortPoolTest {

  @Test
  void releasePort_ofAPortTheSystemPickedForAnyPort_logsNothing() throws UnknownHostException {
    PassivePortPool anyPort = new PassivePortPool("0", "127.0.0.1");
    assertEquals(0, anyPort.reserveNextPort(), "\"0\": the passive socket binds a port the system picks");

    String logged = stderrWhile(() -> anyPort.releasePort(41_234));

    assertEquals("", logged, "FtpServer hands back the system's pick at every transfer's end");
  }

  @Test
  void releasePort_ofAPortItHandedOut_handsItOutAgain() throws UnknownHostException {
    int port = FreePorts.freePort();
    PassivePortPool pool = new PassivePortPool(Integer.toString(port), "127.0.0.1");
    assertEquals(port, pool.reserveNextPort());
    assertEquals(-1, pool.reserveNextPort(), "the range's only port is out");

    pool.releasePort(port);

    assertEquals(port, pool.reserveNextPort(), "taken back, the port is handed out again");
  }

  private static String stderrWhile(Runnable action) {
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      action.run();
    } finally {
      System.setErr(original);
    }
    return captured.toString(StandardCharsets.UTF_8);
  }
}
