package dev.ferry.core.user;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Set;

/**
 * Checks one OpenSSH {@code authorized_keys} line ("type base64-key [comment]") as configured for a
 * user, so that a mistyped key stops start-up naming its config key instead of silently never
 * matching. Decoding the key into a usable public key is the SSH front-end's job.
 */
public final class AuthorizedKeyLine {

  /** Key types Ferry accepts; RSA keys sign with rsa-sha2-256/512 only (no SHA-1). */
  public static final Set<String> TYPES = Set.of("ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384",
      "ecdsa-sha2-nistp521", "ssh-rsa");

  private AuthorizedKeyLine() {}

  /** Returns why the line is not a usable key, or null when it is. */
  public static String problem(String line) {
    if (line == null || line.isBlank()) {
      return "is empty";
    }
    String[] fields = line.trim().split("\\s+", 3);
    if (!TYPES.contains(fields[0])) {
      return "must start with a key type (one of " + String.join(", ", TYPES.stream().sorted().toList())
          + "), got '" + abbreviate(fields[0]) + "' (options before the type are not supported)";
    }
    if (fields.length < 2) {
      return "has no key after the type '" + fields[0] + "'";
    }
    byte[] blob;
    try {
      blob = Base64.getDecoder().decode(fields[1]);
    } catch (IllegalArgumentException e) {
      return "key is not valid base64";
    }
    ByteBuffer buffer = ByteBuffer.wrap(blob);
    if (buffer.remaining() < 4) {
      return "key is too short";
    }
    int length = buffer.getInt();
    if (length < 0 || length > buffer.remaining()) {
      return "key is truncated";
    }
    byte[] type = new byte[length];
    buffer.get(type);
    String embedded = new String(type, StandardCharsets.US_ASCII);
    if (!embedded.equals(fields[0])) {
      return "key says it is '" + abbreviate(embedded) + "' but the line says '" + fields[0] + "'";
    }
    if (!buffer.hasRemaining()) {
      return "key has no key material";
    }
    return null;
  }

  /**
   * Why a key that {@link #problem} accepts is still too weak to be added through the API, or null:
   * an RSA modulus under {@link #MIN_RSA_BITS} bits (NIST's floor since 2013; OpenSSH's ssh-keygen
   * makes 3072). Keys already in ferry.yaml are not held to it, so that an upgrade locks nobody out.
   */
  public static String weakness(String line) {
    String[] fields = line.trim().split("\\s+", 3);
    if (!fields[0].equals("ssh-rsa")) {
      return null;
    }
    int bits;
    try {
      ByteBuffer blob = ByteBuffer.wrap(Base64.getDecoder().decode(fields[1]));
      skipString(blob); // the type
      skipString(blob); // the public exponent
      byte[] modulus = new byte[blob.getInt()];
      blob.get(modulus);
      bits = new java.math.BigInteger(1, modulus).bitLength();
    } catch (RuntimeException malformed) {
      return "is not a well-formed RSA key (" + malformed.getClass().getSimpleName() + ")";
    }
    return bits < MIN_RSA_BITS ? "is an RSA key of " + bits + " bits; at least " + MIN_RSA_BITS + " are required" : null;
  }

  /** The smallest RSA key the API accepts. */
  public static final int MIN_RSA_BITS = 2048;

  /** The key's SHA256 fingerprint as {@code ssh-keygen -l} prints it: SHA256:base64, unpadded. */
  public static String fingerprint(String line) {
    byte[] blob = Base64.getDecoder().decode(line.trim().split("\\s+", 3)[1]);
    try {
      byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(blob);
      return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(digest);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  /** The line's comment (what follows the key), or "". */
  public static String comment(String line) {
    String[] fields = line.trim().split("\\s+", 3);
    return fields.length > 2 ? fields[2].trim() : "";
  }

  private static void skipString(ByteBuffer buffer) {
    int length = buffer.getInt();
    buffer.position(buffer.position() + length);
  }

  private static String abbreviate(String text) {
    return text.length() > 40 ? text.substring(0, 40) + "..." : text;
  }
}
