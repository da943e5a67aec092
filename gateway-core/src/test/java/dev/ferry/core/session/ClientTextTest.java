package dev.ferry.core.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ClientTextTest {

  /** The name an attacker sent over SSH to write a fake "login" line into Ferry's log. */
  @Test
  void forLog_lineBreaksAndEscape_becomeVisibleEscapes_onOneLine() {
    String forged = "eve\n2026-11-23T10:00:00Z INFO LoginGuard - SFTP login (password): ops from 10.0.0.1";

    String logged = ClientText.forLog(forged);

    assertFalse(logged.contains("\n"), logged);
    assertTrue(logged.startsWith("eve\\x0a2026-11-23"), logged);
    assertEquals("a\\x0db\\x1b[31mc\\x7f", ClientText.forLog("a\rb\u001b[31mc\u007f"));
    assertEquals("line\\x2028", ClientText.forLog("line\u2028"));
  }

  @Test
  void forLog_longText_cutWithItsLength() {
    String logged = ClientText.forLog("x".repeat(5000));

    assertEquals(ClientText.MAX_LENGTH + "...(5000 chars)".length(), logged.length());
    assertTrue(logged.endsWith("...(5000 chars)"), logged);
  }

  @Test
  void hasControl_plainAndUnicodeNames_no_controls_yes() {
    assertFalse(ClientText.hasControl("alice"));
    assertFalse(ClientText.hasControl("Zoë 日本"));
    assertTrue(ClientText.hasControl("eve\rx"));
    assertTrue(ClientText.hasControl("esc\u001b"));
    assertEquals("(none)", ClientText.forLog(null));
  }
}
