package dev.ferry.ftps.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.apache.mina.core.buffer.IoBuffer;
import org.junit.jupiter.api.Test;

/** Which arriving line may be answered before the commands reach it, and which reached line is dropped. */
class KeepAliveDuringTransferTest {

  private final KeepAliveDuringTransfer.Lines lines = new KeepAliveDuringTransfer.Lines();

  @Test
  void loneLine_nothingWaitingBeforeIt_isOffered_andDroppedWhenReached() {
    IoBuffer noop = bytes("NOOP\r\n");
    assertEquals("NOOP\r", lines.loneLine(noop));
    lines.arrived(noop, true);
    IoBuffer second = bytes("NOOP\r\n");
    assertEquals("NOOP\r", lines.loneLine(second), "an answered line does not hold the next one back");
    lines.arrived(second, true);
    assertTrue(lines.reached());
    assertTrue(lines.reached());
    assertFalse(lines.reached(), "nothing more was counted");
  }

  @Test
  void loneLine_behindALineNotReachedYet_waitsItsTurn() {
    lines.arrived(bytes("TYPE A\r\n"), false);
    assertNull(lines.loneLine(bytes("NOOP\r\n")), "its reply would come before TYPE's");
    lines.arrived(bytes("NOOP\r\n"), false);
    assertFalse(lines.reached());
    assertFalse(lines.reached(), "the NOOP runs as a command, once");
    assertEquals("NOOP\r", lines.loneLine(bytes("NOOP\r\n")));
  }

  @Test
  void loneLine_afterAPartLineOrWithOthers_isNotOffered() {
    assertNull(lines.loneLine(bytes("NOOP\r\nNOOP\r\n")));
    lines.arrived(bytes("STOR a"), false);
    assertNull(lines.loneLine(bytes("NOOP\r\n")), "the bytes end the STOR line: 'STOR aNOOP'");
    lines.arrived(bytes("NOOP\r\n"), false);
    assertFalse(lines.reached());
    assertEquals("NOOP\r", lines.loneLine(bytes("NOOP\r\n")));
  }

  @Test
  void replyTo_noopAndBareStat_only() {
    assertEquals(200, KeepAliveDuringTransfer.replyTo("NOOP\r", null).getCode());
    assertNull(KeepAliveDuringTransfer.replyTo("STAT /x", null));
    assertNull(KeepAliveDuringTransfer.replyTo("NOOPS", null));
  }

  private static IoBuffer bytes(String text) {
    return IoBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
  }
}
