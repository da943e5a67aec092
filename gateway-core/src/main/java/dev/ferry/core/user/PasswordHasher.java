package dev.ferry.core.user;

import java.security.SecureRandom;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/** bcrypt password hashes ($2y$, cost 12), through BouncyCastle. */
public final class PasswordHasher {

  private static final int COST = 12;
  private static final SecureRandom RANDOM = new SecureRandom();

  private PasswordHasher() {}

  public static String hash(char[] password) {
    byte[] salt = new byte[16];
    RANDOM.nextBytes(salt);
    return OpenBSDBCrypt.generate("2y", password, salt, COST);
  }

  /** False for a wrong password and for anything that is not a bcrypt hash. */
  public static boolean matches(String hash, char[] password) {
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
}
