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

  /** What OpenSSL's dgst -r prints. */
  @Test
  void opensslDgst_theHash() {
    assertEquals(HASH, Sha256Sum.in(HASH + " *stdin\n"));
  }

  /** The command, run in a real sh on a file: the file's SHA-256, whichever tool the machine has. */
  @Test
  void ofStdin_inAShell_hashesTheFile() throws Exception {
    java.nio.file.Path file = java.nio.file.Files.createTempFile("sha256sum", ".txt");
    try {
      java.nio.file.Files.writeString(file, "abc");
      Process shell = new ProcessBuilder("sh", "-c", Sha256Sum.OF_STDIN + " < '" + file + "'").start();
      String out = new String(shell.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      assertEquals(0, shell.waitFor());
      assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", Sha256Sum.in(out), out);
    } finally {
      java.nio.file.Files.delete(file);
    }
  }

  @Test
  void noHash_null() {
    assertNull(Sha256Sum.in(""));
    assertNull(Sha256Sum.in("sh: 1: sha256sum: not found\n"));
    assertNull(Sha256Sum.in(HASH.substring(1) + "  -\n"), "63 hex digits are no SHA-256");
    assertNull(Sha256Sum.in(HASH + "0  -\n"), "65 hex digits are no SHA-256");
  }
}
