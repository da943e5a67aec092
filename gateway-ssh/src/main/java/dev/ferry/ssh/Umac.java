package dev.ferry.ssh;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

/**
 * UMAC (RFC 4418) with 64 or 128-bit tags, as OpenSSH's umac-64 and umac-128 MACs use it: a
 * 16-byte key, an 8-byte nonce per message (SSH's packet sequence number), and messages of at most
 * 2^24 bytes (an SSH packet is far smaller; longer ones would need POLY's 128-bit ramp, which is
 * left out). One instance hashes one message at a time: {@link #update} any number of times, then
 * {@link #doFinal}, which also readies it for the next message.
 *
 * <p>Why not HMAC-SHA-256: OpenSSH's own MAC preference puts umac-64-etm first, and on a client
 * with the default settings (aes128-ctr) the MAC is most of the cryptographic cost: SHA-256 runs
 * at about 1.8 GB/s per core even with the CPU's SHA extensions, UMAC's NH layer is a few
 * multiplications per 32 bytes.
 *
 * <p>Layers, per RFC 4418 section 5: L1 (NH over each 1024-byte chunk, in {@code streams}
 * independent iterations with keys 16 bytes apart), L2 (POLY over the chunks' NH results mod
 * 2^64 - 59, skipped for a message of one chunk), L3 (an inner product mod 2^36 - 5 of each
 * 64-bit result), XORed with a pad: AES of the nonce.
 */
final class Umac {

  private static final VarHandle LITTLE_INT =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle BIG_INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
  private static final VarHandle BIG_LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

  static final int KEY_LENGTH = 16;
  private static final int CHUNK = 1024;
  private static final int BLOCK = 32;
  private static final long P36 = 0xFFFFFFFFBL;
  private static final long M36 = 0xFFFFFFFFFL;
  /** 2^64 - 59: POLY's prime; 2^64 is 59 modulo it. */
  static final long P64 = 0xFFFFFFFFFFFFFFC5L;
  static final long POLY_KEY_MASK = 0x01FFFFFF01FFFFFFL;

  private final int streams;
  private final Cipher pdf;
  /** NH key as 32-bit words (read big-endian from the KDF), stream s starting at word 4 * s. */
  private final int[] nhKey;
  private final long[] polyKey;
  /** Four inner-product keys per stream, already reduced mod 2^36 - 5. */
  private final long[] ipKey;
  private final int[] ipTranslation;

  /** NH sums of the current chunk, one per stream, before its length is added. */
  private final long[] nh;
  private final long[] poly;
  /** The last whole chunk's L1 result, held back until it is known not to be the message's only one. */
  private final long[] heldChunk;
  private boolean chunkHeld;
  /** Per stream, the 64-bit value L3 turns into the tag's 32 bits. */
  private final long[] uhash;
  /** Bytes of a 32-byte block not hashed yet (the message so far did not end on a block). */
  private final byte[] partial = new byte[BLOCK];
  private int partialLength;
  /** Bytes of the current chunk taken into {@link #nh} (whole blocks). */
  private int chunkBytes;
  private long messageLength;

  private final byte[] nonceBlock = new byte[16];
  private final byte[] pad = new byte[16];
  /** The nonce (its AES block) {@link #pad} holds the AES of; computed at once in the constructor. */
  private long padNonce;

  /** {@code tagLength} 8 (umac-64) or 16 (umac-128); {@code key} the first 16 bytes are used. */
  Umac(byte[] key, int tagLength) throws GeneralSecurityException {
    if (tagLength != 8 && tagLength != 16) {
      throw new IllegalArgumentException("UMAC tag length must be 8 or 16 bytes, not " + tagLength);
    }
    if (key.length < KEY_LENGTH) {
      throw new IllegalArgumentException("UMAC needs a 16-byte key, got " + key.length + " bytes");
    }
    streams = tagLength / 4;
    Cipher kdf = Cipher.getInstance("AES/ECB/NoPadding");
    kdf.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, 0, KEY_LENGTH, "AES"));

    pdf = Cipher.getInstance("AES/ECB/NoPadding");
    pdf.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(kdf(kdf, 0, KEY_LENGTH), "AES"));

    byte[] l1 = kdf(kdf, 1, CHUNK + 16 * (streams - 1));
    nhKey = new int[l1.length / 4];
    for (int i = 0; i < nhKey.length; i++) {
      nhKey[i] = (int) BIG_INT.get(l1, 4 * i);
    }
    byte[] l2 = kdf(kdf, 2, 24 * streams);
    byte[] l3 = kdf(kdf, 3, 64 * streams);
    byte[] l3Translation = kdf(kdf, 4, 4 * streams);
    polyKey = new long[streams];
    ipKey = new long[4 * streams];
    ipTranslation = new int[streams];
    for (int s = 0; s < streams; s++) {
      polyKey[s] = (long) BIG_LONG.get(l2, 24 * s) & POLY_KEY_MASK;
      // The L2 output is 16 bytes whose first 8 are zero below 2^24 bytes: keys 4 to 7 of 8 count.
      for (int j = 0; j < 4; j++) {
        ipKey[4 * s + j] = Long.remainderUnsigned((long) BIG_LONG.get(l3, 64 * s + 32 + 8 * j), P36);
      }
      ipTranslation[s] = (int) BIG_INT.get(l3Translation, 4 * s);
    }
    nh = new long[streams];
    poly = new long[streams];
    heldChunk = new long[streams];
    uhash = new long[streams];
    reset();
    BIG_LONG.set(nonceBlock, 0, padNonce);
    pdf.doFinal(nonceBlock, 0, 16, pad, 0);
  }

  int tagLength() {
    return 4 * streams;
  }

  /** The KDF of RFC 4418 section 3.2.1: AES in counter mode over (index, counter) blocks. */
  private static byte[] kdf(Cipher aes, int index, int length) throws GeneralSecurityException {
    byte[] out = new byte[(length + 15) / 16 * 16];
    byte[] in = new byte[16];
    in[7] = (byte) index;
    for (int block = 0; block < out.length / 16; block++) {
      in[15] = (byte) (block + 1);
      aes.doFinal(in, 0, 16, out, 16 * block);
    }
    return Arrays.copyOf(out, length);
  }

  void update(byte[] data, int offset, int length) {
    while (length > 0) {
      if (chunkBytes == CHUNK) {
        endChunk();
      }
      if (partialLength > 0 || length < BLOCK) {
        int n = Math.min(length, BLOCK - partialLength);
        System.arraycopy(data, offset, partial, partialLength, n);
        partialLength += n;
        offset += n;
        length -= n;
        messageLength += n;
        if (partialLength == BLOCK) {
          nhBlocks(partial, 0, BLOCK);
          partialLength = 0;
        }
        continue;
      }
      int whole = Math.min(length & -BLOCK, CHUNK - chunkBytes);
      nhBlocks(data, offset, whole);
      offset += whole;
      length -= whole;
      messageLength += whole;
    }
  }

  /** Writes the tag of the message so far, for {@code nonce}, and starts a new message. */
  void doFinal(long nonce, byte[] out, int offset) throws GeneralSecurityException {
    if (messageLength > 1 << 24) {
      long length = messageLength;
      reset();
      throw new IllegalStateException("UMAC message of " + length + " bytes: only up to 2^24 supported");
    }
    boolean oneChunk = messageLength <= CHUNK;
    if (partialLength > 0 || messageLength == 0) {
      // The last block, zero-padded to 32 bytes; an empty message hashes one block of zeros.
      Arrays.fill(partial, partialLength, BLOCK, (byte) 0);
      nhBlocks(partial, 0, BLOCK);
      chunkBytes -= BLOCK - partialLength;
    }
    long[] result = uhash;
    if (oneChunk) {
      for (int s = 0; s < streams; s++) {
        result[s] = nh[s] + 8L * chunkBytes;
      }
    } else {
      if (chunkBytes > 0) {
        endChunk();
      }
      if (chunkHeld) {
        polyStep(heldChunk);
      }
      for (int s = 0; s < streams; s++) {
        result[s] = Long.compareUnsigned(poly[s], P64) >= 0 ? poly[s] - P64 : poly[s];
      }
    }
    pad(nonce);
    int padOffset = streams == 2 ? 8 * (int) (nonce & 1) : 0;
    for (int s = 0; s < streams; s++) {
      int word = innerProduct(s, result[s]) ^ ipTranslation[s];
      BIG_INT.set(out, offset + 4 * s, word ^ (int) BIG_INT.get(pad, padOffset + 4 * s));
    }
    reset();
  }

  private void reset() {
    Arrays.fill(nh, 0);
    Arrays.fill(poly, 1); // POLY starts from 1, as if the message were prefixed by a word of 1
    chunkHeld = false;
    partialLength = 0;
    chunkBytes = 0;
    messageLength = 0;
  }

  /** A whole chunk's L1 result; the one before it, if held, goes into POLY now. */
  private void endChunk() {
    if (chunkHeld) {
      polyStep(heldChunk);
    }
    for (int s = 0; s < streams; s++) {
      heldChunk[s] = nh[s] + 8L * chunkBytes;
      nh[s] = 0;
    }
    chunkHeld = true;
    chunkBytes = 0;
  }

  /** NH over whole 32-byte blocks; every stream reads the same message words with its own key. */
  private void nhBlocks(byte[] data, int offset, int length) {
    for (int s = 0; s < streams; s += 2) {
      nhTwoStreams(data, offset, length, s);
    }
    chunkBytes += length;
  }

  /**
   * Streams {@code s} and {@code s + 1} in one pass over the data (their keys are 4 words apart):
   * per 32 bytes, four products of 32-bit sums per stream, added mod 2^64.
   */
  private void nhTwoStreams(byte[] data, int offset, int length, int s) {
    int[] key = nhKey;
    int k = chunkBytes / 4 + 4 * s;
    long h1 = nh[s];
    long h2 = nh[s + 1];
    for (int end = offset + length; offset < end; offset += BLOCK, k += 8) {
      int d0 = (int) LITTLE_INT.get(data, offset);
      int d1 = (int) LITTLE_INT.get(data, offset + 4);
      int d2 = (int) LITTLE_INT.get(data, offset + 8);
      int d3 = (int) LITTLE_INT.get(data, offset + 12);
      int d4 = (int) LITTLE_INT.get(data, offset + 16);
      int d5 = (int) LITTLE_INT.get(data, offset + 20);
      int d6 = (int) LITTLE_INT.get(data, offset + 24);
      int d7 = (int) LITTLE_INT.get(data, offset + 28);
      h1 += unsigned(d0 + key[k]) * unsigned(d4 + key[k + 4])
          + unsigned(d1 + key[k + 1]) * unsigned(d5 + key[k + 5])
          + unsigned(d2 + key[k + 2]) * unsigned(d6 + key[k + 6])
          + unsigned(d3 + key[k + 3]) * unsigned(d7 + key[k + 7]);
      h2 += unsigned(d0 + key[k + 4]) * unsigned(d4 + key[k + 8])
          + unsigned(d1 + key[k + 5]) * unsigned(d5 + key[k + 9])
          + unsigned(d2 + key[k + 6]) * unsigned(d6 + key[k + 10])
          + unsigned(d3 + key[k + 7]) * unsigned(d7 + key[k + 11]);
    }
    nh[s] = h1;
    nh[s + 1] = h2;
  }

  private static long unsigned(int word) {
    return word & 0xFFFFFFFFL;
  }

  /** POLY (RFC 4418 section 5.3.1) one L1 result further, per stream. */
  private void polyStep(long[] words) {
    for (int s = 0; s < streams; s++) {
      long m = words[s];
      if (Long.compareUnsigned(m, 0xFFFFFFFF00000000L) >= 0) {
        // Words too large for POLY's range go in as a marker and the word less the offset (59).
        poly[s] = polyMultiplyAdd(poly[s], polyKey[s], P64 - 1);
        m -= 59;
      }
      poly[s] = polyMultiplyAdd(poly[s], polyKey[s], m);
    }
  }

  /**
   * {@code y * key + m} modulo 2^64 - 59, in [0, 2^64): congruent, not always fully reduced (the
   * final step reduces it). The key is below 2^57 (masked), so the product's high word times 59
   * fits in 63 bits. {@code m} is at most 2^64 - 60 (POLY's words are below 2^64 - 2^32, or the
   * marker 2^64 - 60), so a sum that wraps leaves at most 2^64 - 61, and adding back 59 cannot
   * wrap again.
   */
  static long polyMultiplyAdd(long y, long key, long m) {
    long high = Math.multiplyHigh(y, key) + ((y >> 63) & key);
    long low = y * key;
    long r = low + 59 * high;
    if (Long.compareUnsigned(r, low) < 0) {
      r += 59;
    }
    long sum = r + m;
    if (Long.compareUnsigned(sum, m) < 0) {
      sum += 59; // the 2^64 that wrapped away is 59 modulo the prime
    }
    return sum;
  }

  /** L3 (RFC 4418 section 5.4): the 64-bit value's four 16-bit words times the keys, mod 2^36 - 5. */
  private int innerProduct(int s, long value) {
    long t = ipKey[4 * s] * ((value >>> 48) & 0xFFFF)
        + ipKey[4 * s + 1] * ((value >>> 32) & 0xFFFF)
        + ipKey[4 * s + 2] * ((value >>> 16) & 0xFFFF)
        + ipKey[4 * s + 3] * (value & 0xFFFF);
    long r = (t & M36) + 5 * (t >>> 36);
    if (r >= P36) {
      r -= P36;
    }
    return (int) r;
  }

  /**
   * The pad for {@code nonce}: AES of the nonce in a 16-byte block. For 64-bit tags the nonce's
   * lowest bit chooses the block's half, so two consecutive sequence numbers share one AES call.
   */
  private void pad(long nonce) throws GeneralSecurityException {
    long blockNonce = streams == 2 ? nonce & ~1L : nonce;
    if (blockNonce != padNonce) {
      BIG_LONG.set(nonceBlock, 0, blockNonce);
      pdf.doFinal(nonceBlock, 0, 16, pad, 0);
      padNonce = blockNonce;
    }
  }
}
