package dev.ferry.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** UMAC against RFC 4418's test vectors (appendix), and fed in pieces as SSH feeds it. */
class UmacTest {

  private static final byte[] KEY = "abcdefghijklmnop".getBytes(StandardCharsets.US_ASCII);
  private static final long NONCE = ByteBuffer.wrap("bcdefghi".getBytes(StandardCharsets.US_ASCII)).getLong();

  @Test
  void umac64_rfc4418Vectors() throws Exception {
    assertTag(8, "", "6E155FAD26900BE1");
    assertTag(8, "a".repeat(3), "44B5CB542F220104");
    assertTag(8, "a".repeat(1 << 10), "26BF2F5D60118BD9");
    assertTag(8, "a".repeat(1 << 15), "27F8EF643B0D118D");
    assertTag(8, "a".repeat(1 << 20), "A4477E87E9F55853");
    assertTag(8, "abc", "D4D7B9F6BD4FBFCF");
    assertTag(8, "abc".repeat(500), "D4CF26DDEFD5C01A");
  }

  /** The RFC lists 96-bit tags: the first 12 bytes of the 128-bit one (same streams, same pad). */
  @Test
  void umac128_rfc4418Vectors() throws Exception {
    assertTagStartsWith("", "32FEDB100C79AD58F07FF764");
    assertTagStartsWith("a".repeat(3), "185E4FE905CBA7BD85E4C2DC");
    assertTagStartsWith("a".repeat(1 << 10), "7A54ABE04AF82D60FB298C3C");
    assertTagStartsWith("a".repeat(1 << 15), "7B136BD911E4B734286EF2BE");
    assertTagStartsWith("a".repeat(1 << 20), "F8ACFA3AC31CFEEA047F7B11");
    assertTagStartsWith("abc", "883C3D4B97A61976FFCF2323");
    assertTagStartsWith("abc".repeat(500), "8824A260C53C66A36C9260A6");
    assertTag(16, "", "32FEDB100C79AD58F07FF7643CC60465");
    assertTag(16, "a".repeat(3), "185E4FE905CBA7BD85E4C2DC3D117D8D");
    assertTag(16, "a".repeat(1 << 10), "7A54ABE04AF82D60FB298C3CBD195BCB");
  }

  @Test
  void aMessageFedInPiecesOfAnySize_hasTheTagOfTheWhole_andTheNextMessageStartsAfresh() throws Exception {
    Random random = new Random(4418);
    for (int tagLength : new int[] {8, 16}) {
      Umac pieces = new Umac(KEY, tagLength);
      for (int size : new int[] {0, 1, 31, 32, 33, 1023, 1024, 1025, 2048, 2049, 32_768 + 13, 262_144}) {
        byte[] message = new byte[size];
        random.nextBytes(message);
        for (int at = 0; at < size; ) {
          int n = Math.min(size - at, 1 + random.nextInt(100));
          pieces.update(message, at, n);
          at += n;
        }
        long nonce = random.nextInt() & 0xFFFFFFFFL;
        byte[] fromPieces = new byte[tagLength];
        pieces.doFinal(nonce, fromPieces, 0);
        Umac whole = new Umac(KEY, tagLength);
        whole.update(message, 0, size);
        byte[] fromWhole = new byte[tagLength];
        whole.doFinal(nonce, fromWhole, 0);
        assertEquals(HexFormat.of().formatHex(fromWhole), HexFormat.of().formatHex(fromPieces),
            size + " bytes, " + tagLength + "-byte tag");
      }
    }
  }

  private static void assertTag(int tagLength, String message, String expected) throws Exception {
    assertEquals(expected, tag(tagLength, message), message.length() + " bytes, " + tagLength + "-byte tag");
  }

  private static void assertTagStartsWith(String message, String expected) throws Exception {
    assertEquals(expected, tag(16, message).substring(0, expected.length()), message.length() + " bytes");
  }

  private static String tag(int tagLength, String message) throws Exception {
    Umac umac = new Umac(KEY, tagLength);
    byte[] bytes = message.getBytes(StandardCharsets.US_ASCII);
    umac.update(bytes, 0, bytes.length);
    byte[] tag = new byte[tagLength];
    umac.doFinal(NONCE, tag, 0);
    return HexFormat.of().withUpperCase().formatHex(tag);
  }
}
