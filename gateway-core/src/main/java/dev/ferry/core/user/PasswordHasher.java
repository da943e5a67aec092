package dev.ferry.core.user;

import java.security.SecureRandom;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/**
 * Password hashes through BouncyCastle: Ferry makes bcrypt ($2y$, cost 12) and checks bcrypt and
 * argon2id (PHC strings, {@code $argon2id$v=19$m=...,t=...,p=...$salt$hash}, as the argon2 tool,
 * libsodium and SFTPGo write them), so users moved from elsewhere keep their passwords.
 */
public final class PasswordHasher {

  private static final int COST = 12;
  private static final SecureRandom RANDOM = new SecureRandom();

  private PasswordHasher() {}

  public static String hash(char[] password) {
    byte[] salt = new byte[16];
    RANDOM.nextBytes(salt);
    return OpenBSDBCrypt.generate("2y", password, salt, COST);
  }

  /** False for a wrong password and for anything that is not a bcrypt or argon2id hash. */
  public static boolean matches(String hash, char[] password) {
    if (hash != null && hash.startsWith(Argon2Hash.PREFIX)) {
      return Argon2Hash.parse(hash).map(argon2 -> argon2.matches(password)).orElse(false);
    }
    if (hash == null || !hash.startsWith("$2")) {
      return false;
    }
    try {
      return OpenBSDBCrypt.checkPassword(hash, password);
    } catch (IllegalArgumentException | org.bouncycastle.crypto.DataLengthException malformed) {
      return false;
    }
  }

  public static boolean isBcrypt(String hash) {
    return hash != null && hash.matches("\\$2[abxy]?\\$\\d\\d\\$[./A-Za-z0-9]{53}");
  }

  /** Whether {@code hash} is one {@link #matches} checks: bcrypt, or a well-formed argon2id string. */
  public static boolean isSupported(String hash) {
    return isBcrypt(hash) || hash != null && Argon2Hash.parse(hash).isPresent();
  }
}
