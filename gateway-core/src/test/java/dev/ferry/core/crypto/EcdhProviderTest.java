package dev.ferry.core.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Security;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.util.Arrays;
import javax.crypto.KeyAgreement;
import org.bouncycastle.jcajce.provider.asymmetric.ec.BCECPublicKey;
import org.bouncycastle.math.ec.FixedPointUtil;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The JVM's EC key pairs and ECDH come from BouncyCastle, and agree with the JDK's to the byte. */
class EcdhProviderTest {

  @BeforeAll
  static void install() {
    EcdhProvider.install();
  }

  @Test
  void lookups_without_a_provider_find_it_first_once() throws GeneralSecurityException {
    EcdhProvider.install();
    assertEquals(EcdhProvider.NAME, Security.getProviders()[0].getName());
    assertEquals(1, Arrays.stream(Security.getProviders()).filter(p -> p.getName().equals(EcdhProvider.NAME)).count());
    // What the JDK's TLS does for an ECDHE key exchange: both by name, no provider named.
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(curve("secp256r1"), new SecureRandom());
    KeyPair pair = generator.generateKeyPair();
    assertEquals(EcdhProvider.NAME, generator.getProvider().getName());
    KeyAgreement agreement = KeyAgreement.getInstance("ECDH");
    agreement.init(pair.getPrivate());
    assertEquals(EcdhProvider.NAME, agreement.getProvider().getName());
    assertEquals("SunEC", KeyFactory.getInstance("EC").getProvider().getName(), "only the two services move");
  }

  /**
   * TLS takes the shared secret as the x-coordinate at the curve's full length: a secret whose first
   * byte is zero (1 in 256) must keep it, or that handshake fails. Enough agreements are made for
   * such secrets to occur, and every one is compared with the JDK's own agreement of the same keys.
   */
  @ParameterizedTest
  @ValueSource(strings = {"secp256r1", "secp384r1"})
  void agreement_is_the_jdks_to_the_byte_leading_zeros_kept(String name) throws GeneralSecurityException {
    ECParameterSpec curve = curve(name);
    int length = (curve.getCurve().getField().getFieldSize() + 7) / 8;
    KeyPairGenerator jdk = KeyPairGenerator.getInstance("EC", "SunEC");
    jdk.initialize(curve);
    int leadingZeros = 0;
    for (int i = 0; i < 2000; i++) {
      KeyPair peer = jdk.generateKeyPair();
      KeyPairGenerator ours = KeyPairGenerator.getInstance("EC");
      ours.initialize(curve, new SecureRandom());
      KeyPair mine = ours.generateKeyPair();
      byte[] secret = agree("ECDH", null, mine, peer);
      assertArrayEquals(agree("ECDH", "SunEC", peer, mine), secret, name + " agreement " + i);
      assertEquals(length, secret.length, name + " agreement " + i);
      if (secret[0] == 0) {
        leadingZeros++;
      }
    }
    assertTrue(leadingZeros > 0, "no secret with a leading zero byte in 2000 agreements on " + name);
  }

  /**
   * TLS initializes a new generator with the JDK's parameters of the curve for every handshake.
   * Its pairs must still come from the one BouncyCastle form of the curve, whose generator point
   * keeps its precomputed multiples: converted anew, the multiples were redone for every pair, at
   * three times the pair's own work.
   */
  @Test
  void generators_initialized_anew_reuse_the_generator_points_multiples() throws GeneralSecurityException {
    org.bouncycastle.jce.spec.ECParameterSpec p256 = EcdhProvider.PairGenerator.converted(curve("secp256r1"));
    assertSame(p256, EcdhProvider.PairGenerator.converted(curve("secp256r1")));
    KeyPairGenerator first = KeyPairGenerator.getInstance("EC");
    first.initialize(curve("secp256r1"), new SecureRandom());
    BCECPublicKey one = (BCECPublicKey) first.generateKeyPair().getPublic();
    assertNotNull(p256.getCurve().getPreCompInfo(p256.getG(), FixedPointUtil.PRECOMP_NAME),
        "the multiples are kept on the curve's one generator point");
    KeyPairGenerator second = KeyPairGenerator.getInstance("EC");
    second.initialize(curve("secp256r1"), new SecureRandom());
    BCECPublicKey other = (BCECPublicKey) second.generateKeyPair().getPublic();
    assertNotEquals(one.getQ(), other.getQ(), "two pairs, two keys");
  }

  /** A peer's public point is decoded as the JDK's TLS decodes it; one off the curve is refused. */
  @Test
  void a_point_off_the_curve_is_refused() throws GeneralSecurityException {
    ECParameterSpec curve = curve("secp256r1");
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(curve, new SecureRandom());
    KeyPair mine = generator.generateKeyPair();
    ECPoint onCurve = ((ECPublicKey) mine.getPublic()).getW();
    ECPoint offCurve = new ECPoint(onCurve.getAffineX(), onCurve.getAffineY().add(BigInteger.ONE));
    assertThrows(InvalidKeyException.class, () -> {
      ECPublicKey peer = (ECPublicKey) KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(offCurve, curve));
      KeyAgreement agreement = KeyAgreement.getInstance("ECDH");
      agreement.init(mine.getPrivate());
      agreement.doPhase(peer, true);
      agreement.generateSecret("TlsPremasterSecret");
    });
  }

  private static byte[] agree(String algorithm, String provider, KeyPair mine, KeyPair peer)
      throws GeneralSecurityException {
    KeyAgreement agreement = provider == null ? KeyAgreement.getInstance(algorithm) : KeyAgreement.getInstance(algorithm, provider);
    agreement.init(mine.getPrivate());
    agreement.doPhase(peer.getPublic(), true);
    return agreement.generateSecret("TlsPremasterSecret").getEncoded();
  }

  private static ECParameterSpec curve(String name) throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC", "SunEC");
    generator.initialize(new ECGenParameterSpec(name));
    return ((ECPublicKey) generator.generateKeyPair().getPublic()).getParams();
  }
}
