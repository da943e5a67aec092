package dev.ferry.core.user;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Passwords that passed bcrypt a short while ago, kept as HMACs under a key that lives only in
 * this process. bcrypt is slow on purpose, and clients open many connections with the same
 * password (lftp mirror --parallel, rclone, WinSCP): without this each login costs a tenth of a
 * second of CPU, with it the first one does. SFTPGo caches verified passwords the same way. Only
 * successes are remembered; a wrong password always pays the full bcrypt cost, and a user whose
 * hash changed in the config is checked afresh.
 */
final class VerifiedPasswords {

  private record Entry(String passwordHash, byte[] mac, Instant expires) {}

  private final Map<String, Entry> byUser = new ConcurrentHashMap<>();
  private final SecretKeySpec key;
  private final Clock clock;
  private final Duration lifetime;

  VerifiedPasswords(Clock clock, Duration lifetime) {
    byte[] secret = new byte[32];
    new SecureRandom().nextBytes(secret);
    this.key = new SecretKeySpec(secret, "HmacSHA256");
    this.clock = clock;
    this.lifetime = lifetime;
  }

  boolean known(User user, char[] password) {
    Entry entry = byUser.get(user.name());
    if (entry == null || !entry.passwordHash().equals(user.passwordHash())) {
      return false;
    }
    if (!clock.instant().isBefore(entry.expires())) {
      byUser.remove(user.name(), entry);
      return false;
    }
    return MessageDigest.isEqual(entry.mac(), mac(password));
  }

  void remember(User user, char[] password) {
    byUser.put(user.name(), new Entry(user.passwordHash(), mac(password), clock.instant().plus(lifetime)));
  }

  private byte[] mac(char[] password) {
    ByteBuffer bytes = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password));
    try {
      Mac hmac = Mac.getInstance("HmacSHA256");
      hmac.init(key);
      hmac.update(bytes);
      return hmac.doFinal();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
    } finally {
      if (bytes.hasArray()) {
        Arrays.fill(bytes.array(), (byte) 0);
      }
    }
  }
}
