package dev.ferry.ssh;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Random;
import org.apache.sshd.common.cipher.BuiltinCiphers;
import org.apache.sshd.common.cipher.Cipher;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Ferry's CTR ciphers against MINA's own, packet by packet, and what they allocate. */
class CtrCiphersTest {

  private static final int[] PACKET_SIZES = {16, 32_768, 48, 34_992, 16 * 1024, 64, 256 * 1024};

  @ParameterizedTest
  @EnumSource(CtrCiphers.class)
  void packetsInARow_encryptAsMinasCipherDoes_andDecryptBack(CtrCiphers kind) throws Exception {
    Random random = new Random(kind.ordinal());
    byte[] key = new byte[kind.getKdfSize()];
    byte[] iv = new byte[kind.getIVSize()];
    random.nextBytes(key);
    random.nextBytes(iv);
    Cipher ferry = init(kind.create(), Cipher.Mode.Encrypt, key, iv);
    Cipher mina = init(BuiltinCiphers.fromFactoryName(kind.getName()).create(), Cipher.Mode.Encrypt, key, iv);
    Cipher back = init(kind.create(), Cipher.Mode.Decrypt, key, iv);

    for (int round = 0; round < 3; round++) {
      for (int size : PACKET_SIZES) {
        // A packet in the middle of a larger buffer, as MINA's are (after the length and padding).
        byte[] plain = new byte[size];
        random.nextBytes(plain);
        byte[] ours = frame(plain);
        byte[] theirs = frame(plain);
        ferry.update(ours, 5, size);
        mina.update(theirs, 5, size);
        assertArrayEquals(theirs, ours, kind + ", round " + round + ", packet of " + size + " bytes");
        back.update(ours, 5, size);
        assertArrayEquals(plain, Arrays.copyOfRange(ours, 5, 5 + size), "decrypted back");
        assertEquals(0x5a, ours[0] & 0xff, "bytes before the packet untouched");
        assertEquals(0x5a, ours[ours.length - 1] & 0xff, "bytes after the packet untouched");
      }
    }
  }

  @ParameterizedTest
  @EnumSource(CtrCiphers.class)
  void aThousandPackets_allocateNoArrayPerPacket(CtrCiphers kind) throws Exception {
    Cipher cipher = init(kind.create(), Cipher.Mode.Encrypt, new byte[kind.getKdfSize()], new byte[kind.getIVSize()]);
    byte[] packet = new byte[32 * 1024];
    cipher.update(packet, 0, packet.length); // the one array it keeps, and the JIT's first steps
    var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long before = threads.getCurrentThreadAllocatedBytes();
    for (int i = 0; i < 1000; i++) {
      cipher.update(packet, 0, packet.length);
    }
    long allocated = threads.getCurrentThreadAllocatedBytes() - before;
    // MINA's own cipher allocates a copy of every packet here: 32 MiB for these 1,000.
    assertTrue(allocated < 1 << 20, kind + " allocated " + allocated + " bytes for 1,000 packets of 32 KiB");
  }

  private static Cipher init(Cipher cipher, Cipher.Mode mode, byte[] key, byte[] iv) throws Exception {
    cipher.init(mode, key, iv);
    return cipher;
  }

  private static byte[] frame(byte[] packet) {
    byte[] framed = new byte[packet.length + 9];
    Arrays.fill(framed, (byte) 0x5a);
    System.arraycopy(packet, 0, framed, 5, packet.length);
    return framed;
  }
}
