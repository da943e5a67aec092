package dev.ferry.jobs.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class Sha256SumTest {

  private static final String HASH = "9ce57a9a65f9e3f6fb2294c81f0cb74de12cb6c422c4048e6da193783204e57c";

  @Test
  void sha256sumOfStdin_theHash() {
    assertEquals(HASH, Sha256Sum.in(HASH + "  -\n"));
  }

  /** A pseudo-terminal ends lines with CR LF and may carry other output before. */
  @Test
  void onAPseudoTerminal_afterOtherOutput_theHashLowerCased() {
    assertEquals(HASH, Sha256Sum.in("warning: something\r\n" + HASH.toUpperCase() + "  -\r\n"));
  }

  @Test
  void noHash_null() {
    assertNull(Sha256Sum.in(""));
    assertNull(Sha256Sum.in("sh: 1: sha256sum: not found\n"));
    assertNull(Sha256Sum.in(HASH.substring(1) + "  -\n"), "63 hex digits are no SHA-256");
    assertNull(Sha256Sum.in(HASH + "0  -\n"), "65 hex digits are no SHA-256");
  }
}
