package dev.ferry.core.user;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * An argon2id hash in the PHC string format ({@code $argon2id$v=19$m=65536,t=3,p=4$salt$hash},
 * salt and hash in unpadded base64), checked with BouncyCastle's Argon2. Parameters are bounded
 * (memory up to 1 GiB, 1-100 passes, 1-64 lanes) so that a hash given through the API cannot make
 * every login of that user cost the node its memory.
 */
final class Argon2Hash {

  static final String PREFIX = "$argon2id$";
  private static final Pattern FORMAT = Pattern.compile(
      "\\$argon2id\\$v=(\\d+)\\$m=(\\d{1,7}),t=(\\d{1,3}),p=(\\d{1,2})\\$([A-Za-z0-9+/]+)\\$([A-Za-z0-9+/]+)");
  private static final int MAX_MEMORY_KIB = 1 << 20;

  private final int version;
  private final int memoryKib;
  private final int passes;
  private final int lanes;
  private final byte[] salt;
  private final byte[] hash;

  private Argon2Hash(int version, int memoryKib, int passes, int lanes, byte[] salt, byte[] hash) {
    this.version = version;
    this.memoryKib = memoryKib;
    this.passes = passes;
    this.lanes = lanes;
    this.salt = salt;
    this.hash = hash;
  }

  /** The hash, or empty when {@code text} is not a well-formed argon2id string within the bounds. */
  static Optional<Argon2Hash> parse(String text) {
    Matcher m = FORMAT.matcher(text);
    if (!m.matches()) {
      return Optional.empty();
    }
    int version = Integer.parseInt(m.group(1));
    int memory = Integer.parseInt(m.group(2));
    int passes = Integer.parseInt(m.group(3));
    int lanes = Integer.parseInt(m.group(4));
    if (version != Argon2Parameters.ARGON2_VERSION_13 && version != Argon2Parameters.ARGON2_VERSION_10
        || memory < 8 * lanes || memory > MAX_MEMORY_KIB || passes < 1 || passes > 100 || lanes < 1 || lanes > 64) {
      return Optional.empty();
    }
    try {
      byte[] salt = Base64.getDecoder().decode(m.group(5));
      byte[] hash = Base64.getDecoder().decode(m.group(6));
      return salt.length >= 8 && hash.length >= 16 ? Optional.of(new Argon2Hash(version, memory, passes, lanes, salt, hash))
          : Optional.empty();
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  boolean matches(char[] password) {
    Argon2BytesGenerator generator = new Argon2BytesGenerator();
    generator.init(new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id).withVersion(version)
        .withMemoryAsKB(memoryKib).withIterations(passes).withParallelism(lanes).withSalt(salt).build());
    ByteBuffer encoded = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password));
    byte[] bytes = new byte[encoded.remaining()];
    encoded.get(bytes);
    byte[] computed = new byte[hash.length];
    try {
      generator.generateBytes(bytes, computed);
      return MessageDigest.isEqual(computed, hash);
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
  }
}
