package dev.ferry.jobs.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Each hostile name goes through a real /bin/sh and must come out verbatim, having run nothing. */
class ShellQuoteTest {

  @TempDir
  Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"plain", "with space", "it's", "'", "''", "$(touch PWNED)", "`touch PWNED`",
      "a; touch PWNED", "new\nline", "*", "-n", "$HOME", "\\", "\"double\"", "tab\there", "ü ñ 字", ""})
  void quote_hostileWord_reachesCommandVerbatim(String word) throws Exception {
    Process sh = new ProcessBuilder("/bin/sh", "-c", "printf '%s' " + ShellQuote.quote(word))
        .directory(dir.toFile()).start();
    String out = new String(sh.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, sh.waitFor());
    assertEquals(word, out);
    assertFalse(Files.exists(dir.resolve("PWNED")), "the quoted word ran a command");
  }

  @Test
  void quote_singleQuote_isClosedEscapedAndReopened() {
    assertEquals("'it'\\''s'", ShellQuote.quote("it's"));
  }

  @Test
  void quote_nul_isRefused() {
    assertThrows(IllegalArgumentException.class, () -> ShellQuote.quote("a\0b"));
  }

  /** grep -E is the same regex dialect pkill -f uses; the pattern must match the name and no near miss. */
  @ParameterizedTest
  @ValueSource(strings = {"/data/in/file.bin.part/part-", "/d/a+b (1) [x] {2} ^$|?*.part/part-", "/d/back\\slash.part/"})
  void literalRegex_matchesExactlyTheText(String text) throws Exception {
    String pattern = ShellQuote.literalRegex(text);
    assertEquals(0, grep(pattern, "before " + text + "7 after"));
    assertEquals(1, grep(pattern, "before " + text.replace('.', 'X') + "7 after"));
  }

  private int grep(String pattern, String line) throws IOException, InterruptedException {
    Process grep = new ProcessBuilder("/bin/sh", "-c", "printf '%s\\n' " + ShellQuote.quote(line) + " | grep -q -E -- "
        + ShellQuote.quote(pattern)).start();
    return grep.waitFor();
  }
}
