package dev.ferry.core.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class ProxyHeaderTest {

  /** What HAProxy's send-proxy-v2 writes for 127.0.0.5:40000 -> 127.0.0.1:2121, with no TLVs. */
  private static final byte[] V2_TCP4 = HexFormat.of().parseHex(
      "0d0a0d0a000d0a515549540a" + "21" + "11" + "000c" + "7f000005" + "7f000001" + "9c40" + "0849");

  private static ProxyHeader.Result parse(byte[] bytes) {
    return ProxyHeader.parse(ByteBuffer.wrap(bytes));
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }

  @Test
  void v1_tcp4_namesTheSourceAndItsLength() {
    byte[] bytes = ascii("PROXY TCP4 192.0.2.7 10.0.0.11 56324 2121\r\nUSER alice\r\n");
    ProxyHeader.Parsed parsed = assertInstanceOf(ProxyHeader.Parsed.class, parse(bytes));
    assertEquals(new InetSocketAddress("192.0.2.7", 56324), parsed.source());
    assertEquals("PROXY TCP4 192.0.2.7 10.0.0.11 56324 2121\r\n".length(), parsed.length());
  }

  @Test
  void v1_tcp6_namesTheSource() {
    ProxyHeader.Parsed parsed = assertInstanceOf(ProxyHeader.Parsed.class,
        parse(ascii("PROXY TCP6 2001:db8::7 2001:db8::1 40000 22\r\n")));
    assertEquals("2001:db8::7", ClientAddress.of(parsed.source()));
  }

  @Test
  void v1_unknown_namesNoSource() {
    ProxyHeader.Parsed parsed = assertInstanceOf(ProxyHeader.Parsed.class, parse(ascii("PROXY UNKNOWN\r\n")));
    assertNull(parsed.source());
    assertEquals(15, parsed.length());
  }

  @Test
  void v1_partialLine_needsMore() {
    assertInstanceOf(ProxyHeader.NeedMore.class, parse(ascii("PROXY TCP4 192.0.2.7 10.0")));
    assertInstanceOf(ProxyHeader.NeedMore.class, parse(ascii("PRO")));
  }

  @Test
  void v1_hostNameOrBadPort_isInvalid() {
    assertInstanceOf(ProxyHeader.Invalid.class, parse(ascii("PROXY TCP4 evil.example 10.0.0.11 1 2\r\n")));
    assertInstanceOf(ProxyHeader.Invalid.class, parse(ascii("PROXY TCP4 192.0.2.7 10.0.0.11 70000 2\r\n")));
    assertInstanceOf(ProxyHeader.Invalid.class, parse(ascii("PROXY TCP4 192.0.2.7 10.0.0.11 1 2\n")));
    assertInstanceOf(ProxyHeader.Invalid.class, parse(ascii("PROXY " + "x".repeat(120))));
  }

  @Test
  void v2_tcp4_namesTheSource() {
    ProxyHeader.Parsed parsed = assertInstanceOf(ProxyHeader.Parsed.class, parse(V2_TCP4));
    assertEquals(new InetSocketAddress("127.0.0.5", 40000), parsed.source());
    assertEquals(28, parsed.length());
  }

  @Test
  void v2_local_namesNoSource() {
    byte[] local = HexFormat.of().parseHex("0d0a0d0a000d0a515549540a" + "20" + "00" + "0000");
    ProxyHeader.Parsed parsed = assertInstanceOf(ProxyHeader.Parsed.class, parse(local));
    assertNull(parsed.source());
    assertEquals(16, parsed.length());
  }

  @Test
  void v2_cutShort_needsMoreUpToItsLength() {
    byte[] cut = java.util.Arrays.copyOf(V2_TCP4, 20);
    assertEquals(new ProxyHeader.NeedMore(28), parse(cut));
  }

  @Test
  void v2_wrongVersion_isInvalid() {
    byte[] wrong = V2_TCP4.clone();
    wrong[12] = 0x11;
    assertInstanceOf(ProxyHeader.Invalid.class, parse(wrong));
  }

  @Test
  void otherBytes_areNotAHeader() {
    assertInstanceOf(ProxyHeader.NotAHeader.class, parse(ascii("SSH-2.0-OpenSSH_9.2\r\n")));
    assertInstanceOf(ProxyHeader.NotAHeader.class, parse(new byte[] {0x16, 0x03, 0x01}));
  }

  @Test
  void read_fromAStream_stopsRightAfterTheHeader() throws IOException {
    for (byte[] header : new byte[][] {V2_TCP4, ascii("PROXY UNKNOWN\r\n"),
        ascii("PROXY TCP4 192.0.2.7 10.0.0.11 56324 2121\r\n")}) {
      byte[] stream = new byte[header.length + 3];
      System.arraycopy(header, 0, stream, 0, header.length);
      stream[header.length] = 0x16;
      ByteArrayInputStream in = new ByteArrayInputStream(stream);
      assertInstanceOf(ProxyHeader.Parsed.class, ProxyHeader.read(in));
      assertEquals(3, in.available(), "bytes after the header are left for TLS");
    }
  }
}
