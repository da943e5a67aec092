package dev.ferry.core.crypto;

import java.math.BigInteger;
import java.security.InvalidAlgorithmParameterException;
import java.security.InvalidKeyException;
import java.security.Key;
import java.security.KeyPair;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.Security;
import java.security.spec.AlgorithmParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.EllipticCurve;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.bouncycastle.jcajce.provider.asymmetric.ec.KeyAgreementSpi;
import org.bouncycastle.jcajce.provider.asymmetric.ec.KeyPairGeneratorSpi;
import org.bouncycastle.jcajce.provider.asymmetric.util.EC5Util;

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
    putService(new Service(this, "KeyPairGenerator", "EC", PairGenerator.class.getName(), null, null));
    putService(new Service(this, "KeyAgreement", "ECDH", Agreement.class.getName(), null, null));
  }

  /**
   * BouncyCastle's key pair generation, on one BouncyCastle form of each curve. TLS and SSH give
   * the curve as the JDK's parameters, for each key pair anew; BouncyCastle turned those into new
   * curve objects each time and so redid the generator point's precomputed multiples (its
   * fixed-point comb) for every pair: 70 % of a key pair's CPU, 0.2 ms of each FTPS file's
   * handshake. Converted once per curve, the multiples are computed once.
   */
  public static final class PairGenerator extends java.security.KeyPairGeneratorSpi {
    /** At most this many curves are kept converted; TLS and SSH name a handful. */
    private static final int CURVES_KEPT = 16;
    private static final Map<Curve, org.bouncycastle.jce.spec.ECParameterSpec> CONVERTED = new ConcurrentHashMap<>();

    private final KeyPairGeneratorSpi.EC generator = new KeyPairGeneratorSpi.EC();

    @Override
    public void initialize(int keySize, SecureRandom random) {
      generator.initialize(keySize, random);
    }

    @Override
    public void initialize(AlgorithmParameterSpec params, SecureRandom random) throws InvalidAlgorithmParameterException {
      generator.initialize(params instanceof ECParameterSpec curve ? converted(curve) : params, random);
    }

    @Override
    public KeyPair generateKeyPair() {
      return generator.generateKeyPair();
    }

    /** The one BouncyCastle form of {@code curve} (a new one past {@link #CURVES_KEPT} curves). */
    static org.bouncycastle.jce.spec.ECParameterSpec converted(ECParameterSpec curve) {
      Curve key = Curve.of(curve);
      org.bouncycastle.jce.spec.ECParameterSpec known = CONVERTED.get(key);
      if (known != null) {
        return known;
      }
      org.bouncycastle.jce.spec.ECParameterSpec fresh = EC5Util.convertSpec(curve);
      return CONVERTED.size() < CURVES_KEPT ? CONVERTED.computeIfAbsent(key, k -> fresh) : fresh;
    }
  }

  /** A curve as a map key: the JDK's ECParameterSpec has no equals, its parts do. */
  private record Curve(EllipticCurve curve, ECPoint generator, BigInteger order, int cofactor) {
    static Curve of(ECParameterSpec spec) {
      return new Curve(spec.getCurve(), spec.getGenerator(), spec.getOrder(), spec.getCofactor());
    }
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
