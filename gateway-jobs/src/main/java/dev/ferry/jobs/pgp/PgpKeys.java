package dev.ferry.jobs.pgp;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.UnaryOperator;
import org.bouncycastle.bcpg.sig.KeyFlags;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPPublicKeyRingCollection;
import org.bouncycastle.openpgp.PGPSecretKeyRingCollection;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureSubpacketVector;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.operator.jcajce.JcaKeyFingerprintCalculator;

/**
 * OpenPGP keys as the workflow steps take them: from a file (armored or binary, as
 * {@code gpg --export} and {@code --export-secret-keys} write them) or, written {@code env:NAME},
 * from an environment variable holding the armored key; never from ferry.yaml's own text. A key
 * that cannot be read is an {@link IllegalArgumentException} naming where it was looked for.
 */
public final class PgpKeys {

  private PgpKeys() {}

  /** The secret keys at {@code source} (a file path or env:NAME). */
  public static PGPSecretKeyRingCollection secretKeys(String source, UnaryOperator<String> env) {
    try (InputStream in = PGPUtil.getDecoderStream(open(source, env))) {
      PGPSecretKeyRingCollection keys = new PGPSecretKeyRingCollection(in, new JcaKeyFingerprintCalculator());
      if (keys.size() == 0) {
        throw new IllegalArgumentException(source + " holds no OpenPGP secret key");
      }
      return keys;
    } catch (IOException | PGPException e) {
      throw new IllegalArgumentException(source + " is not an OpenPGP secret key (gpg --export-secret-keys): "
          + e.getMessage(), e);
    }
  }

  /** The public key rings at {@code source} (a file path or env:NAME). */
  public static PGPPublicKeyRingCollection publicKeys(String source, UnaryOperator<String> env) {
    try (InputStream in = PGPUtil.getDecoderStream(open(source, env))) {
      PGPPublicKeyRingCollection keys = new PGPPublicKeyRingCollection(in, new JcaKeyFingerprintCalculator());
      if (keys.size() == 0) {
        throw new IllegalArgumentException(source + " holds no OpenPGP public key");
      }
      return keys;
    } catch (IOException | PGPException e) {
      throw new IllegalArgumentException(source + " is not an OpenPGP public key (gpg --export): " + e.getMessage(), e);
    }
  }

  /** The key of each ring at {@code source} that encrypts: a recipient of the encrypt step. */
  public static List<PGPPublicKey> encryptionKeys(String source, UnaryOperator<String> env) {
    List<PGPPublicKey> found = new ArrayList<>();
    for (Iterator<PGPPublicKeyRing> rings = publicKeys(source, env).getKeyRings(); rings.hasNext(); ) {
      PGPPublicKey key = encryptionKeyOf(rings.next());
      if (key == null) {
        throw new IllegalArgumentException(source + " has a key with no subkey that may encrypt");
      }
      found.add(key);
    }
    return found;
  }

  /**
   * The key of {@code ring} to encrypt to: a subkey whose self-signature's key flags allow
   * encryption (gpg's usual cv25519 or RSA subkey) before the primary key, which with RSA is also
   * an encryption algorithm but often flagged for signing only; revoked and expired keys are passed
   * over. A key with no flags at all (old keys) counts as allowed.
   */
  private static PGPPublicKey encryptionKeyOf(PGPPublicKeyRing ring) {
    PGPPublicKey primary = null;
    for (Iterator<PGPPublicKey> keys = ring.getPublicKeys(); keys.hasNext(); ) {
      PGPPublicKey key = keys.next();
      if (!key.isEncryptionKey() || key.hasRevocation() || expired(key) || !flaggedForEncryption(key)) {
        continue;
      }
      if (!key.isMasterKey()) {
        return key;
      }
      primary = key;
    }
    return primary;
  }

  private static boolean flaggedForEncryption(PGPPublicKey key) {
    for (Iterator<PGPSignature> signatures = key.getSignatures(); signatures.hasNext(); ) {
      PGPSignatureSubpacketVector hashed = signatures.next().getHashedSubPackets();
      if (hashed != null && hashed.getKeyFlags() != 0) {
        return (hashed.getKeyFlags() & (KeyFlags.ENCRYPT_COMMS | KeyFlags.ENCRYPT_STORAGE)) != 0;
      }
    }
    return true;
  }

  private static boolean expired(PGPPublicKey key) {
    long valid = key.getValidSeconds();
    return valid > 0 && key.getCreationTime().toInstant().plusSeconds(valid).isBefore(Instant.now());
  }

  private static InputStream open(String source, UnaryOperator<String> env) throws IOException {
    if (source.startsWith("env:")) {
      String name = source.substring("env:".length());
      String text = env.apply(name);
      if (text == null || text.isBlank()) {
        throw new IllegalArgumentException("the environment variable " + name + " is not set");
      }
      return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }
    Path file = Path.of(source);
    if (!file.isAbsolute()) {
      throw new IllegalArgumentException("a key file needs an absolute path (or env:NAME), got '" + source + "'");
    }
    if (!Files.isReadable(file)) {
      throw new IllegalArgumentException(source + " cannot be read");
    }
    return Files.newInputStream(file);
  }
}
