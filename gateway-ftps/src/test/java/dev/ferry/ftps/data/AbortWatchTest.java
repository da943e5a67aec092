package dev.ferry.ftps.data;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.apache.mina.core.buffer.IoBuffer;
import org.junit.jupiter.api.Test;

/** ABOR as it arrives (bytes, before FtpServer's executor) and as the commands reach it (a decoded line). */
class AbortWatchTest {

  /** lftp sends Telnet IP and Synch (IAC IP IAC DM) before ABOR. */
  private static final byte[] TELNET_IP_SYNCH = {(byte) 0xff, (byte) 0xf4, (byte) 0xff, (byte) 0xf2};

  @Test
  void arrivingBytes_abortWithOrWithoutTelnetBytes_orAmongOtherLines() {
    assertTrue(AbortWatch.isAbort(bytes(new byte[0], "ABOR\r\n")));
    assertTrue(AbortWatch.isAbort(bytes(TELNET_IP_SYNCH, "ABOR\r\n")));
    assertTrue(AbortWatch.isAbort(bytes(new byte[0], "abor\r\n")));
    assertTrue(AbortWatch.isAbort(bytes(new byte[0], "ABOR\r\nPORT 127,0,0,1,4,1\r\nRETR f\r\n")));
    assertFalse(AbortWatch.isAbort(bytes(new byte[0], "ABORT\r\n")));
    assertFalse(AbortWatch.isAbort(bytes(new byte[0], "RETR ABOR\r\n")));
  }

  @Test
  void decodedLine_abor_withWhateverTheDecoderMadeOfTelnetBytes() {
    assertTrue(AbortWatch.isAbortLine("ABOR"));
    assertTrue(AbortWatch.isAbortLine("abor "));
    assertTrue(AbortWatch.isAbortLine("\uFFFD\uFFFDABOR"));
    assertFalse(AbortWatch.isAbortLine("ABORT"));
    assertFalse(AbortWatch.isAbortLine("STOR ABOR"));
    assertFalse(AbortWatch.isAbortLine(""));
  }

  private static IoBuffer bytes(byte[] prefix, String text) {
    byte[] line = text.getBytes(StandardCharsets.US_ASCII);
    IoBuffer buffer = IoBuffer.allocate(prefix.length + line.length);
    buffer.put(prefix).put(line).flip();
    return buffer;
  }
}
