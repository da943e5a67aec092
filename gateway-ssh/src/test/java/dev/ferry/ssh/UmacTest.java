package dev.ferry.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Random;
import org.apache.sshd.common.mac.Mac;
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
    // Whole 128-bit tags of messages of several chunks, from OpenSSH's umac128.c (the RFC lists 96 bits).
    assertTag(16, "a".repeat(1 << 15), "7B136BD911E4B734286EF2BE501F2C3C");
    assertTag(16, "abc".repeat(500), "8824A260C53C66A36C9260A62CB83AA1");
  }

  /**
   * Through MINA's Mac interface as MINA drives it per packet (updateUInt of the sequence number,
   * update, doFinal, one instance for every packet), with the 32-byte key MINA derives: the tags
   * OpenSSH's mac.c and umac.c compute for the same key, packet and sequence numbers.
   */
  @Test
  void umacEtmMacs_asMinaCallsThem_giveOpenSshsTags() throws Exception {
    byte[] key = new byte[32];
    for (int i = 0; i < key.length; i++) {
      key[i] = (byte) i;
    }
    byte[] packet = new byte[9 * 256];
    for (int i = 0; i < packet.length; i++) {
      packet[i] = (byte) i;
    }
    long[] sequenceNumbers = {0, 1, 2, 0xFFFFFFFFL};
    String[] umac64 = {"F792076CD0F1C10B", "D7F4751437C5C5B5", "EEA23124D3E0AC6E", "F0CDADF0E9A56738"};
    String[] umac128 = {"F792076CD0F1C10B4D4D5592F6F764F2", "800FE9A56CB4A93DDBCD6B85D934504F",
        "EEA23124D3E0AC6EA96230AE6B114DB6", "F76A8F7259E5BA5159E9F573A79BD11B"};
    for (UmacMacs kind : UmacMacs.values()) {
      Mac mac = kind.create();
      mac.init(key);
      String[] expected = kind == UmacMacs.UMAC_64_ETM ? umac64 : umac128;
      for (int i = 0; i < sequenceNumbers.length; i++) {
        mac.updateUInt(sequenceNumbers[i]);
        mac.update(packet, 0, packet.length);
        byte[] tag = new byte[mac.getBlockSize()];
        mac.doFinal(tag, 0);
        assertEquals(expected[i], HexFormat.of().withUpperCase().formatHex(tag), kind + ", sequence number "
            + sequenceNumbers[i]);
      }
    }
  }

  /** The pad is AES of the nonce for every nonce, the first one included, whatever its value. */
  @Test
  void firstMessage_anyNonce_sameTagAsAfterAnotherMessage() throws Exception {
    for (int tagLength : new int[] {8, 16}) {
      for (long nonce : new long[] {0, 1, -1, -2}) {
        Umac fresh = new Umac(KEY, tagLength);
        byte[] first = new byte[tagLength];
        fresh.doFinal(nonce, first, 0);
        Umac used = new Umac(KEY, tagLength);
        used.doFinal(nonce ^ 2, new byte[tagLength], 0);
        byte[] later = new byte[tagLength];
        used.doFinal(nonce, later, 0);
        assertEquals(HexFormat.of().formatHex(later), HexFormat.of().formatHex(first), "nonce " + nonce);
      }
    }
  }

  /** POLY's step against BigInteger, at the edges of its range (the marker word, keys at their mask). */
  @Test
  void polyMultiplyAdd_isCongruentToTheExactValue() {
    BigInteger prime = BigInteger.TWO.pow(64).subtract(BigInteger.valueOf(59));
    Random random = new Random(59);
    long[] edges = {0, 1, 58, 59, 60, Umac.P64 - 1, Umac.P64, Umac.P64 + 1, -1, -60, 0xFFFFFFFF00000000L - 1};
    for (int i = 0; i < 200_000; i++) {
      long y = i < edges.length * edges.length ? edges[i % edges.length] : random.nextLong();
      long m = i < edges.length * edges.length ? edges[i / edges.length] : random.nextLong();
      m = Long.compareUnsigned(m, Umac.P64 - 1) > 0 ? Umac.P64 - 1 : m; // POLY's words are at most the marker
      long key = (i % 3 == 0 ? -1 : random.nextLong()) & Umac.POLY_KEY_MASK;
      long result = Umac.polyMultiplyAdd(y, key, m);
      BigInteger exact = unsigned(y).multiply(unsigned(key)).add(unsigned(m));
      assertEquals(exact.mod(prime), unsigned(result).mod(prime), "y " + y + ", key " + key + ", m " + m);
    }
  }

  private static BigInteger unsigned(long value) {
    return new BigInteger(Long.toUnsignedString(value));
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
