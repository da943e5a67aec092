package dev.ferry.ssh;

import java.security.GeneralSecurityException;
import org.apache.sshd.common.cipher.BaseCTRCipher;
import org.apache.sshd.common.cipher.BuiltinCiphers;
import org.apache.sshd.common.cipher.Cipher;
import org.apache.sshd.common.cipher.CipherFactory;

/**
 * AES-CTR, the cipher a default OpenSSH client gets from Ferry (aes128-ctr), without a new array
 * per packet. MINA encrypts each packet in place ({@code Cipher.update(in, off, len, in, off)}),
 * and the JDK's cipher copies an input that shares its array with the output before it starts:
 * one array per packet, 1.7 GiB of garbage per GiB uploaded over SFTP and 0.9 per GiB downloaded
 * (JFR allocation samples). Here each direction encrypts into an array of its own, kept from
 * packet to packet, and copies the result back: the same copy the JDK made, nothing allocated.
 */
public enum CtrCiphers implements CipherFactory {
  AES128_CTR(BuiltinCiphers.aes128ctr),
  AES192_CTR(BuiltinCiphers.aes192ctr),
  AES256_CTR(BuiltinCiphers.aes256ctr);

  private final BuiltinCiphers builtin;

  CtrCiphers(BuiltinCiphers builtin) {
    this.builtin = builtin;
  }

  @Override
  public String getName() {
    return builtin.getName();
  }

  @Override
  public boolean isSupported() {
    return builtin.isSupported();
  }

  @Override
  public String getAlgorithm() {
    return builtin.getAlgorithm();
  }

  @Override
  public int getKeySize() {
    return builtin.getKeySize();
  }

  @Override
  public String getTransformation() {
    return builtin.getTransformation();
  }

  @Override
  public int getIVSize() {
    return builtin.getIVSize();
  }

  @Override
  public int getAuthenticationTagSize() {
    return builtin.getAuthenticationTagSize();
  }

  @Override
  public int getCipherBlockSize() {
    return builtin.getCipherBlockSize();
  }

  @Override
  public int getKdfSize() {
    return builtin.getKdfSize();
  }

  @Override
  public Cipher create() {
    return new ReusedOutputCtrCipher(this);
  }

  @Override
  public String toString() {
    return getName();
  }

  /** One direction of one session: MINA calls it from one thread at a time. */
  private static final class ReusedOutputCtrCipher extends BaseCTRCipher {
    private byte[] output = new byte[0];

    ReusedOutputCtrCipher(CtrCiphers kind) {
      super(kind.getIVSize(), kind.getAuthenticationTagSize(), kind.getKdfSize(), kind.getAlgorithm(),
          kind.getKeySize(), kind.getTransformation(), kind.getCipherBlockSize());
    }

    @Override
    public void update(byte[] input, int offset, int length) throws Exception {
      if (output.length < length) {
        output = new byte[length]; // grows to the largest packet once, then stays
      }
      // CTR is a stream mode: the JDK's cipher returns every byte it is given, and its counter runs
      // on across calls (MINA's re-initialisation after a short update never applies to it).
      int done = getCipherInstance().update(input, offset, length, output, 0);
      if (done != length) {
        throw new GeneralSecurityException(getAlgorithm() + " CTR encrypted " + done + " of " + length + " bytes");
      }
      System.arraycopy(output, 0, input, offset, length);
    }
  }
}
