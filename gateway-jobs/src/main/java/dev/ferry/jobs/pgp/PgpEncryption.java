package dev.ferry.jobs.pgp;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.SecureRandom;
import java.util.Date;
import java.util.List;
import org.bouncycastle.bcpg.ArmoredOutputStream;
import org.bouncycastle.bcpg.CompressionAlgorithmTags;
import org.bouncycastle.bcpg.SymmetricKeyAlgorithmTags;
import org.bouncycastle.openpgp.PGPCompressedDataGenerator;
import org.bouncycastle.openpgp.PGPEncryptedDataGenerator;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPLiteralData;
import org.bouncycastle.openpgp.PGPLiteralDataGenerator;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.operator.jcajce.JcePGPDataEncryptorBuilder;
import org.bouncycastle.openpgp.operator.jcajce.JcePublicKeyKeyEncryptionMethodGenerator;

/**
 * Encrypts a file to OpenPGP recipients as it streams, as {@code gpg --encrypt} would: AES-256
 * with an integrity packet (MDC), ZLIB-compressed, to every recipient's encryption key, armored
 * ({@code .asc}) or binary ({@code .pgp}). {@code gpg --decrypt} gives the bytes back exactly.
 */
public final class PgpEncryption {

  private static final int BUFFER = 64 * 1024;

  private final List<PGPPublicKey> recipients;
  private final boolean armor;

  public PgpEncryption(List<PGPPublicKey> recipients, boolean armor) {
    if (recipients.isEmpty()) {
      throw new IllegalArgumentException("an encrypt step needs at least one recipient");
    }
    this.recipients = List.copyOf(recipients);
    this.armor = armor;
  }

  /** The name of the encrypted file: {@code name}.asc when armored, else {@code name}.pgp. */
  public String outputName(String name) {
    return name + (armor ? ".asc" : ".pgp");
  }

  /**
   * Encrypts {@code in} (named {@code name} in the literal packet) into {@code out}, which is left
   * open: the caller commits it. Returns the bytes read.
   */
  public long encrypt(InputStream in, String name, OutputStream out) throws IOException {
    OutputStream target = new KeepOpen(out);
    OutputStream armored = armor ? new ArmoredOutputStream(target) : target;
    PGPEncryptedDataGenerator encryption = new PGPEncryptedDataGenerator(
        new JcePGPDataEncryptorBuilder(SymmetricKeyAlgorithmTags.AES_256).setWithIntegrityPacket(true)
            .setSecureRandom(new SecureRandom()).setProvider(PgpDecryption.CONTENT));
    for (PGPPublicKey recipient : recipients) {
      encryption.addMethod(new JcePublicKeyKeyEncryptionMethodGenerator(recipient).setProvider(PgpDecryption.PROVIDER));
    }
    long total = 0;
    try (OutputStream encrypted = encryption.open(armored, new byte[BUFFER])) {
      PGPCompressedDataGenerator compression = new PGPCompressedDataGenerator(CompressionAlgorithmTags.ZLIB);
      try (OutputStream compressed = compression.open(encrypted)) {
        PGPLiteralDataGenerator literal = new PGPLiteralDataGenerator();
        try (OutputStream data = literal.open(compressed, PGPLiteralData.BINARY, name, new Date(), new byte[BUFFER])) {
          byte[] buffer = new byte[BUFFER];
          for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
            data.write(buffer, 0, read);
            total += read;
          }
        }
      }
    } catch (PGPException e) {
      throw new PgpException("encrypting " + name + " failed: " + e.getMessage(), e);
    }
    if (armor) {
      armored.close(); // writes the armor's checksum and footer; KeepOpen keeps the upload open
    }
    return total;
  }

  /** The upload under the streams: their close() must not reach it (closing an upload aborts it). */
  private static final class KeepOpen extends java.io.FilterOutputStream {
    KeepOpen(OutputStream out) {
      super(out);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
      out.write(bytes, offset, length);
    }

    @Override
    public void close() throws IOException {
      flush();
    }
  }
}
