import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.spec.ChaCha20ParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.apache.sshd.common.cipher.BuiltinCiphers;
import org.apache.sshd.common.mac.BuiltinMacs;
import org.apache.sshd.common.mac.Mac;
import org.apache.sshd.common.mac.MacFactory;
import dev.ferry.ssh.UmacMacs;
import org.bouncycastle.crypto.macs.Poly1305;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * What one core does per second with each way to protect SFTP packets, and with the hashes every
 * uploaded byte goes through: the figures behind the ciphers Ferry's SSH server offers. Each row
 * seals 1 GiB in 32 KiB packets (OpenSSH's SFTP size); the best of three rounds counts, after a
 * round to warm the JIT. A measurement, not a test.
 *
 *   java -cp gateway-server/target/ferry.jar bench/SshCipherBench.java      (JDK 11+; FERRY_JAVA to compare JVMs)
 *
 * "chacha20 (JDK) + Poly1305 (BouncyCastle)" is OpenSSH's chacha20-poly1305@openssh.com built from
 * the JDK's ChaCha20 (intrinsic from JDK 20 on x86-64 and aarch64) and BouncyCastle's Poly1305 (plain
 * Java): the JDK's own Poly1305 is reachable only through its RFC 8439 AEAD, a different construction.
 */
public class SshCipherBench {

  private static final int PACKET = 32 * 1024 + 64;
  private static final long TOTAL = Long.getLong("bench.bytes", 1L << 30);

  interface Sealer {
    void run(byte[] key, byte[] packet) throws Exception;
  }

  public static void main(String[] args) throws Exception {
    byte[] key = new byte[64];
    new SecureRandom().nextBytes(key);
    byte[] packet = new byte[PACKET + 64];
    Map<String, Sealer> rows = new LinkedHashMap<>();
    rows.put("aes128-gcm@openssh.com (MINA, JDK AES-GCM)", (k, p) -> mina(BuiltinCiphers.aes128gcm, null, k, p));
    rows.put("aes128-ctr + hmac-sha2-256-etm (MINA, JDK)", (k, p) -> mina(BuiltinCiphers.aes128ctr, BuiltinMacs.hmacsha256etm, k, p));
    rows.put("aes128-ctr + hmac-sha2-512-etm (MINA, JDK)", (k, p) -> mina(BuiltinCiphers.aes128ctr, BuiltinMacs.hmacsha512etm, k, p));
    rows.put("aes128-ctr + umac-64-etm (MINA, Ferry's UMAC)", (k, p) -> mina(BuiltinCiphers.aes128ctr, UmacMacs.UMAC_64_ETM, k, p));
    rows.put("aes128-ctr + umac-128-etm (MINA, Ferry's UMAC)", (k, p) -> mina(BuiltinCiphers.aes128ctr, UmacMacs.UMAC_128_ETM, k, p));
    rows.put("chacha20-poly1305 (MINA, plain Java)", (k, p) -> mina(BuiltinCiphers.cc20p1305_openssh, null, k, p));
    rows.put("chacha20 (JDK) + Poly1305 (BouncyCastle)", SshCipherBench::jdkChaChaBcPoly);
    rows.put("  its ChaCha20 alone (JDK)", (k, p) -> jdkChaCha(k, p, null));
    rows.put("  its Poly1305 alone (BouncyCastle)", SshCipherBench::bcPoly);
    rows.put("MD5 (each part's Content-MD5)", (k, p) -> digest("MD5", p));
    rows.put("SHA-256 (each object's checksum)", (k, p) -> digest("SHA-256", p));
    System.out.printf("%s %s, %d CPUs, %d MiB per row in %d-byte packets, best of 3 after a warm-up%n",
        System.getProperty("java.vm.name"), System.getProperty("java.version"),
        Runtime.getRuntime().availableProcessors(), TOTAL >> 20, PACKET);
    for (Map.Entry<String, Sealer> row : rows.entrySet()) {
      double best = 0;
      for (int round = 0; round < 4; round++) {
        long start = System.nanoTime();
        row.getValue().run(key, packet);
        double mbs = TOTAL / ((System.nanoTime() - start) / 1e9) / 1e6;
        if (round > 0) {
          best = Math.max(best, mbs);
        }
      }
      System.out.printf("%-46s %8.0f MB/s%n", row.getKey(), best);
    }
  }

  private static void mina(BuiltinCiphers cipherType, MacFactory macType, byte[] key, byte[] packet) throws Exception {
    org.apache.sshd.common.cipher.Cipher cipher = cipherType.create();
    cipher.init(org.apache.sshd.common.cipher.Cipher.Mode.Encrypt, Arrays.copyOf(key, cipher.getKdfSize()),
        new byte[cipher.getIVSize()]);
    Mac mac = null;
    if (macType != null) {
      mac = macType.create();
      // As MINA derives it: the exchange hash's length (32 bytes with SHA-256), extended to the MAC's block size.
      mac.init(Arrays.copyOf(key, Math.max(32, mac.getBlockSize())));
    }
    for (long done = 0; done < TOTAL; done += PACKET) {
      if (mac == null) { // AEAD: the length is authenticated, the rest sealed with its tag
        cipher.updateAAD(packet, 0, 4);
        cipher.update(packet, 4, PACKET - 4);
      } else { // encrypt-then-MAC
        cipher.update(packet, 4, PACKET - 4);
        mac.update(packet, 0, PACKET);
        mac.doFinal(packet, PACKET);
      }
    }
  }

  /** OpenSSH's construction: K_2 seals the length, K_1 (block 0: the Poly1305 key, then the data) the packet. */
  private static void jdkChaChaBcPoly(byte[] key, byte[] packet) throws Exception {
    jdkChaCha(key, packet, new Poly1305());
  }

  private static void jdkChaCha(byte[] key, byte[] packet, Poly1305 poly) throws Exception {
    // DECRYPT_MODE: the same keystream XOR, and the JDK refuses to re-init ENCRYPT_MODE with a key
    // and nonce it used before, which this construction does for every packet (block 0, then 1..).
    Cipher main = Cipher.getInstance("ChaCha20");
    Cipher header = Cipher.getInstance("ChaCha20");
    SecretKeySpec mainKey = new SecretKeySpec(key, 0, 32, "ChaCha20");
    SecretKeySpec headerKey = new SecretKeySpec(key, 32, 32, "ChaCha20");
    byte[] nonce = new byte[12];
    byte[] polyKey = new byte[64];
    long sequence = 0;
    for (long done = 0; done < TOTAL; done += PACKET, sequence++) {
      for (int i = 0; i < 8; i++) {
        nonce[4 + i] = (byte) (sequence >>> (56 - 8 * i));
      }
      header.init(Cipher.DECRYPT_MODE, headerKey, new ChaCha20ParameterSpec(nonce, 0));
      header.update(packet, 0, 4, packet, 0);
      main.init(Cipher.DECRYPT_MODE, mainKey, new ChaCha20ParameterSpec(nonce, 0));
      Arrays.fill(polyKey, (byte) 0);
      main.update(polyKey, 0, 64, polyKey, 0);
      main.update(packet, 4, PACKET - 4, packet, 4);
      if (poly != null) {
        poly.init(new KeyParameter(polyKey, 0, 32));
        poly.update(packet, 0, PACKET);
        poly.doFinal(packet, PACKET);
      }
    }
  }

  private static void bcPoly(byte[] key, byte[] packet) {
    Poly1305 poly = new Poly1305();
    for (long done = 0; done < TOTAL; done += PACKET) {
      poly.init(new KeyParameter(key, 0, 32));
      poly.update(packet, 0, PACKET);
      poly.doFinal(packet, PACKET);
    }
  }

  private static void digest(String algorithm, byte[] packet) throws Exception {
    MessageDigest digest = MessageDigest.getInstance(algorithm);
    for (long done = 0; done < TOTAL; done += PACKET) {
      digest.update(packet, 0, PACKET);
    }
    digest.digest();
  }
}
