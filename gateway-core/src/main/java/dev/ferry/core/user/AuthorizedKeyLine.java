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

  private static String abbreviate(String text) {
    return text.length() > 40 ? text.substring(0, 40) + "..." : text;
  }
}
