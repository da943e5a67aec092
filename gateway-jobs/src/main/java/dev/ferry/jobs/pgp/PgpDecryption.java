package dev.ferry.jobs.pgp;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.Provider;
import java.security.Security;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import org.bouncycastle.bcpg.SymmetricKeyAlgorithmTags;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openpgp.PGPCompressedData;
import org.bouncycastle.openpgp.PGPEncryptedDataList;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPLiteralData;
import org.bouncycastle.openpgp.PGPMarker;
import org.bouncycastle.openpgp.PGPOnePassSignature;
import org.bouncycastle.openpgp.PGPOnePassSignatureList;
import org.bouncycastle.openpgp.PGPPrivateKey;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyEncryptedData;
import org.bouncycastle.openpgp.PGPPublicKeyRingCollection;
import org.bouncycastle.openpgp.PGPSecretKey;
import org.bouncycastle.openpgp.PGPSecretKeyRing;
import org.bouncycastle.openpgp.PGPSecretKeyRingCollection;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureList;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.jcajce.JcaPGPObjectFactory;
import org.bouncycastle.openpgp.operator.PublicKeyDataDecryptorFactory;
import org.bouncycastle.openpgp.operator.jcajce.JcaPGPContentVerifierBuilderProvider;
import org.bouncycastle.openpgp.operator.jcajce.JcePBESecretKeyDecryptorBuilder;
import org.bouncycastle.openpgp.operator.jcajce.JcePublicKeyDataDecryptorFactoryBuilder;

/**
 * Decrypts an OpenPGP message as it streams: {@code gpg --encrypt} output, armored or binary,
 * compressed or not, to one or several recipients of whom Ferry's secret key is one, optionally
 * signed. With {@code verifyWith}, a message must carry a signature by one of those keys, checked
 * over the bytes as they pass. Only integrity-protected messages (MDC or AEAD, what gpg has written
 * for twenty years) are taken. Any failure is a {@link PgpException} with the reason, thrown after
 * the last byte at the latest: the caller writes the output through an upload that commits only
 * when this returns, so a wrong key, a truncated file or a bad signature write nothing.
 */
public final class PgpDecryption {

  static final BouncyCastleProvider PROVIDER = new BouncyCastleProvider();
  /**
   * The bytes' cipher (AES in OpenPGP's CFB mode) from the JDK, whose AES has the CPU's AES
   * instructions: with BouncyCastle's own AES, in plain Java, the decrypt step did 46 MB/s where
   * gpg did 617; with the JDK's, 84 (bench/README.md, bench-pgp.sh). The keys' algorithms
   * (X25519, RSA) stay BouncyCastle's.
   */
  static final Provider CONTENT = Security.getProvider("SunJCE");
  private static final int BUFFER = 64 * 1024;

  private final PGPSecretKeyRingCollection secretKeys;
  private final char[] passphrase;
  private final PGPPublicKeyRingCollection verifyWith;

  /** {@code verifyWith}: the keys one of which must have signed the message; null: no signature needed. */
  public PgpDecryption(PGPSecretKeyRingCollection secretKeys, char[] passphrase, PGPPublicKeyRingCollection verifyWith) {
    this.secretKeys = secretKeys;
    this.passphrase = passphrase.clone();
    this.verifyWith = verifyWith;
  }

  /**
   * Checks now that the passphrase unlocks every secret key that decrypts, so that a wrong one
   * refuses the start instead of failing every file; throws {@link IllegalArgumentException} naming
   * the key.
   */
  public void checkPassphrase() {
    for (PGPSecretKeyRing ring : secretKeys) {
      for (PGPSecretKey secret : ring) {
        if (!secret.getPublicKey().isEncryptionKey() || secret.isPrivateKeyEmpty()) {
          continue;
        }
        try {
          secret.extractPrivateKey(new JcePBESecretKeyDecryptorBuilder().setProvider(PROVIDER).build(passphrase));
        } catch (PGPException e) {
          throw new IllegalArgumentException("the passphrase does not unlock the secret key "
              + Long.toHexString(secret.getKeyID()).toUpperCase(Locale.ROOT) + " (" + e.getMessage() + ")", e);
        }
      }
    }
  }

  /** The name of the decrypted file: {@code name} without .pgp, .gpg or .asc (kept as it is without them). */
  public static String outputName(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    for (String extension : List.of(".pgp", ".gpg", ".asc")) {
      if (lower.endsWith(extension) && name.length() > extension.length()) {
        return name.substring(0, name.length() - extension.length());
      }
    }
    return name;
  }

  /**
   * Decrypts {@code message} into {@code out}; returns the bytes written. A failure to read the
   * message or to write the output (S3, the upload) is thrown as it came, not as a
   * {@link PgpException}: it says nothing about the message, and the step may be tried again.
   */
  public long decrypt(InputStream message, OutputStream out) throws IOException {
    try {
      return decryptMessage(new Passing.In(message), new Passing.Out(out));
    } catch (IOException e) {
      throw Passing.originalOr(e);
    }
  }

  private long decryptMessage(InputStream message, OutputStream out) throws IOException {
    try {
      PGPPublicKeyEncryptedData data = forOurKey(new JcaPGPObjectFactory(PGPUtil.getDecoderStream(message)));
      if (!data.isIntegrityProtected()) {
        throw new PgpException("the message is not integrity-protected (no MDC); it is refused");
      }
      PGPPrivateKey key = privateKey(data.getKeyID());
      InputStream clear = data.getDataStream(contentDecryptor(data, key));
      JcaPGPObjectFactory objects = new JcaPGPObjectFactory(clear);
      Object next = objects.nextObject();
      if (next instanceof PGPCompressedData compressed) {
        objects = new JcaPGPObjectFactory(compressed.getDataStream());
        next = objects.nextObject();
      }
      PGPOnePassSignature signature = null;
      if (next instanceof PGPOnePassSignatureList signatures) {
        signature = signerAmong(signatures);
        next = objects.nextObject();
      }
      if (!(next instanceof PGPLiteralData literal)) {
        throw new PgpException("the message holds no literal data (found " + describe(next) + ")");
      }
      if (verifyWith != null && signature == null) {
        throw new PgpException("the message is not signed, and verifyWith asks for a signature");
      }
      long written = copy(literal.getInputStream(), out, signature);
      if (signature != null) {
        Object trailer = objects.nextObject();
        if (!(trailer instanceof PGPSignatureList list) || !verifies(signature, list)) {
          throw new PgpException("the signature does not verify: the file was changed after it was signed, or"
              + " signed with another key");
        }
      }
      if (!data.verify()) {
        throw new PgpException("the integrity check failed: the message was changed or cut short");
      }
      return written;
    } catch (PGPException e) {
      throw new PgpException(reason(e), e);
    } catch (PgpException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new PgpException("not a whole OpenPGP message: " + reason(e), e);
    }
  }

  /**
   * What decrypts the bytes: the JDK's AES for the usual message (AES, with an MDC), whose AES has
   * the CPU's AES instructions; BouncyCastle's for the rest (AEAD modes such as gpg 2.4's OCB,
   * CAST5, Camellia, Twofish), which the JDK lacks.
   */
  private static PublicKeyDataDecryptorFactory contentDecryptor(PGPPublicKeyEncryptedData data, PGPPrivateKey key)
      throws PGPException {
    PublicKeyDataDecryptorFactory bouncyCastle = new JcePublicKeyDataDecryptorFactoryBuilder().setProvider(PROVIDER)
        .build(key);
    int algorithm = data.isAEAD() ? -1 : data.getSymmetricAlgorithm(bouncyCastle);
    boolean aes = algorithm == SymmetricKeyAlgorithmTags.AES_128 || algorithm == SymmetricKeyAlgorithmTags.AES_192
        || algorithm == SymmetricKeyAlgorithmTags.AES_256;
    return aes ? new JcePublicKeyDataDecryptorFactoryBuilder().setProvider(PROVIDER).setContentProvider(CONTENT)
        .build(key) : bouncyCastle;
  }

  /** Whether the signature list holds the one-pass signature's own, and it verifies (several signers: in any order). */
  private static boolean verifies(PGPOnePassSignature signature, PGPSignatureList list) throws PGPException {
    for (PGPSignature candidate : list) {
      if (candidate.getKeyID() == signature.getKeyID()) {
        return signature.verify(candidate);
      }
    }
    return false;
  }

  /** The part of the message encrypted to a key this step holds: each recipient has one. */
  private PGPPublicKeyEncryptedData forOurKey(JcaPGPObjectFactory objects) throws IOException, PGPException {
    Object first = objects.nextObject();
    while (first instanceof PGPMarker) {
      first = objects.nextObject();
    }
    if (!(first instanceof PGPEncryptedDataList list)) {
      throw new PgpException("not an encrypted OpenPGP message (found " + describe(first) + ")");
    }
    List<String> recipients = new ArrayList<>();
    for (Iterator<?> it = list.getEncryptedDataObjects(); it.hasNext(); ) {
      if (it.next() instanceof PGPPublicKeyEncryptedData data) {
        if (secretKeys.getSecretKey(data.getKeyID()) != null) {
          return data;
        }
        recipients.add(Long.toHexString(data.getKeyID()).toUpperCase(Locale.ROOT));
      }
    }
    if (recipients.isEmpty()) {
      throw new PgpException("the message is encrypted with a passphrase only, not to a key");
    }
    throw new PgpException("no secret key here for the message's recipients (key ids " + String.join(", ", recipients)
        + ")");
  }

  private PGPPrivateKey privateKey(long keyId) throws PgpException {
    PGPSecretKey secret;
    try {
      secret = secretKeys.getSecretKey(keyId);
      return secret.extractPrivateKey(new JcePBESecretKeyDecryptorBuilder().setProvider(PROVIDER).build(passphrase));
    } catch (PGPException e) {
      throw new PgpException("the secret key " + Long.toHexString(keyId).toUpperCase(Locale.ROOT)
          + " could not be unlocked: wrong passphrase? (" + e.getMessage() + ")", e);
    }
  }

  private PGPOnePassSignature signerAmong(PGPOnePassSignatureList signatures) throws PGPException, PgpException {
    if (verifyWith == null) {
      return null; // signed, and nobody asked to check it
    }
    List<String> signers = new ArrayList<>();
    for (PGPOnePassSignature candidate : signatures) {
      PGPPublicKey key = verifyWith.getPublicKey(candidate.getKeyID());
      if (key != null) {
        candidate.init(new JcaPGPContentVerifierBuilderProvider().setProvider(PROVIDER), key);
        return candidate;
      }
      signers.add(Long.toHexString(candidate.getKeyID()).toUpperCase(Locale.ROOT));
    }
    throw new PgpException("signed by " + String.join(", ", signers) + ", which verifyWith does not hold");
  }

  private static long copy(InputStream in, OutputStream out, PGPOnePassSignature signature) throws IOException {
    byte[] buffer = new byte[BUFFER];
    long total = 0;
    for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
      if (signature != null) {
        signature.update(buffer, 0, read);
      }
      out.write(buffer, 0, read);
      total += read;
    }
    return total;
  }

  private static String describe(Object packet) {
    return packet == null ? "the end of the file" : packet.getClass().getSimpleName();
  }

  private static String reason(Exception e) {
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }
}
