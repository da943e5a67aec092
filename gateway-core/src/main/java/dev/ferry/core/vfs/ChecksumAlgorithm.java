package dev.ferry.core.vfs;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;

/**
 * The digests a client may ask of a file (FTP HASH and XSHA256, SFTP check-file, {@code sha256sum}
 * over SSH exec), under the names of the IANA hash registry that FTP's HASH uses.
 */
public enum ChecksumAlgorithm {
  SHA_256("SHA-256", "sha256sum"),
  SHA_1("SHA-1", "sha1sum"),
  MD5("MD5", "md5sum");

  private final String ianaName;
  private final String command;

  ChecksumAlgorithm(String ianaName, String command) {
    this.ianaName = ianaName;
    this.command = command;
  }

  /** The name FTP's HASH and the JDK know it by: SHA-256, SHA-1, MD5. */
  public String ianaName() {
    return ianaName;
  }

  /** The coreutils command that prints it: sha256sum, sha1sum, md5sum. */
  public String command() {
    return command;
  }

  public MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance(ianaName);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK lacks " + ianaName + ", which every Java SE platform must have", e);
    }
  }

  /** The lower-case hex digest of everything {@code bytes} holds, read to its end. */
  public String hexOf(InputStream bytes) throws IOException {
    MessageDigest digest = newDigest();
    byte[] buffer = new byte[64 * 1024];
    for (int read = bytes.read(buffer); read >= 0; read = bytes.read(buffer)) {
      digest.update(buffer, 0, read);
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  /** By its IANA name, case ignored (SHA-256, sha-256, MD5). */
  public static Optional<ChecksumAlgorithm> byName(String name) {
    String wanted = name.trim().toUpperCase(Locale.ROOT);
    return Arrays.stream(values()).filter(algorithm -> algorithm.ianaName.equals(wanted)).findFirst();
  }

  /** By its coreutils command (sha256sum). */
  public static Optional<ChecksumAlgorithm> byCommand(String command) {
    return Arrays.stream(values()).filter(algorithm -> algorithm.command.equals(command)).findFirst();
  }
}
