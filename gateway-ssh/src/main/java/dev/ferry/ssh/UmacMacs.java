package dev.ferry.ssh;

import org.apache.sshd.common.mac.Mac;
import org.apache.sshd.common.mac.MacFactory;

/**
 * OpenSSH's UMAC MACs, encrypt-then-MAC, for MINA: the first two MACs of OpenSSH's default
 * preference, which MINA does not have. The SSH sequence number is the UMAC nonce, not hashed data
 * as with HMAC.
 */
public enum UmacMacs implements MacFactory {
  UMAC_64_ETM("umac-64-etm@openssh.com", 8),
  UMAC_128_ETM("umac-128-etm@openssh.com", 16);

  private final String name;
  private final int tagLength;

  UmacMacs(String name, int tagLength) {
    this.name = name;
    this.tagLength = tagLength;
  }

  @Override
  public String getName() {
    return name;
  }

  @Override
  public String getAlgorithm() {
    return name;
  }

  /**
   * The tag's length on the wire. MINA derives at least this many key bytes (in practice a whole
   * exchange hash, 32 or more); UMAC takes the first 16, OpenSSH's key length for it.
   */
  @Override
  public int getBlockSize() {
    return tagLength;
  }

  @Override
  public int getDefaultBlockSize() {
    return tagLength;
  }

  @Override
  public boolean isEncryptThenMac() {
    return true;
  }

  @Override
  public boolean isSupported() {
    return true;
  }

  @Override
  public Mac create() {
    return new UmacMac(this);
  }

  @Override
  public String toString() {
    return name;
  }

  /**
   * One direction's MAC. Per packet MINA calls updateUInt(sequence number), update(packet),
   * doFinal (AbstractSession.appendOutgoingMac and validateIncomingMac); for UMAC the sequence
   * number is the nonce, not hashed data, as in OpenSSH's mac.c. UmacTest holds the tags OpenSSH
   * computes for this sequence of calls, so a MINA that called them otherwise would fail there.
   */
  private static final class UmacMac implements Mac {
    private final UmacMacs kind;
    private Umac umac;
    private long nonce;

    UmacMac(UmacMacs kind) {
      this.kind = kind;
    }

    @Override
    public void init(byte[] key) throws Exception {
      umac = new Umac(key, kind.tagLength);
    }

    @Override
    public void updateUInt(long sequenceNumber) {
      nonce = sequenceNumber;
    }

    @Override
    public void update(byte[] buf, int start, int len) {
      umac.update(buf, start, len);
    }

    @Override
    public void doFinal(byte[] buf, int offset) throws Exception {
      umac.doFinal(nonce, buf, offset);
    }

    @Override
    public String getAlgorithm() {
      return kind.name;
    }

    @Override
    public int getBlockSize() {
      return kind.tagLength;
    }

    @Override
    public int getDefaultBlockSize() {
      return kind.tagLength;
    }

    @Override
    public boolean isEncryptThenMac() {
      return true;
    }
  }
}
