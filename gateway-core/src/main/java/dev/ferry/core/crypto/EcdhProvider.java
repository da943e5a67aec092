package dev.ferry.core.crypto;

import java.security.InvalidKeyException;
import java.security.Key;
import java.security.Provider;
import java.security.Security;
import org.bouncycastle.jcajce.provider.asymmetric.ec.KeyAgreementSpi;
import org.bouncycastle.jcajce.provider.asymmetric.ec.KeyPairGeneratorSpi;

/**
 * Puts BouncyCastle's elliptic-curve key pair generation and ECDH key agreement ahead of the JDK's,
 * for the whole JVM. Each TLS handshake keyed on a NIST curve generates one key pair and makes one
 * agreement (ECDHE), and FTPS opens a TLS connection per file: JDK 17's P-256 takes about three
 * times BouncyCastle's CPU for the pair of them, and GnuTLS clients (FileZilla, lftp) key with P-256
 * first. The JSSE asks for these two services by name, without a provider, so ranking a provider of
 * just them first is enough; signatures, key factories and every other algorithm stay the JDK's.
 *
 * <p>BouncyCastle's agreement is the x-coordinate at the curve's full length, leading zero bytes
 * kept, as TLS 1.2 and 1.3 require and as the JDK gives it; and a peer's point that is not on the
 * curve is refused.
 */
public final class EcdhProvider extends Provider {

  static final String NAME = "FerryEcdh";

  private EcdhProvider() {
    super(NAME, "1", "BouncyCastle's EC key pair generation and ECDH key agreement");
    putService(new Service(this, "KeyPairGenerator", "EC", KeyPairGeneratorSpi.EC.class.getName(), null, null));
    putService(new Service(this, "KeyAgreement", "ECDH", Agreement.class.getName(), null, null));
  }

  /**
   * BouncyCastle's ECDH, refusing a bad peer key as the JCE contract says, with an
   * {@link InvalidKeyException}: BouncyCastle throws {@link IllegalArgumentException} for a point
   * off the curve, which the JDK's TLS would not take for a refused key.
   */
  public static final class Agreement extends KeyAgreementSpi.DH {
    @Override
    protected Key engineDoPhase(Key key, boolean lastPhase) throws InvalidKeyException {
      try {
        return super.engineDoPhase(key, lastPhase);
      } catch (IllegalArgumentException e) {
        throw new InvalidKeyException("the peer's EC public key was refused: " + e.getMessage(), e);
      }
    }
  }

  /** Ranks the provider first, once per JVM; later calls change nothing. */
  public static synchronized void install() {
    if (Security.getProvider(NAME) == null) {
      Security.insertProviderAt(new EcdhProvider(), 1);
    }
  }
}
