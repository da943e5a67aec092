package dev.ferry.sftp.auth;

import dev.ferry.core.session.ClientText;
import dev.ferry.core.session.SessionSlots;
import dev.ferry.core.user.IdentityUnavailableException;
import dev.ferry.core.user.LoginGuard;
import dev.ferry.core.user.LoginSource;
import dev.ferry.core.user.User;
import dev.ferry.core.user.UserRegistry;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.sshd.common.config.keys.AuthorizedKeyEntry;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.OpenSshCertificate;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.apache.sshd.server.auth.pubkey.PublickeyAuthenticator;
import org.apache.sshd.server.session.ServerSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SSH public-key logins: the keys are the users' {@code publicKeys} (authorized_keys lines),
 * decoded once at start for users ferry.yaml declares and at each login for users kept as data; or
 * an OpenSSH user certificate from a trusted CA ({@link UserCertificates}) for a known user.
 * Which signature algorithms a key may sign with (no ssh-rsa SHA-1) is the
 * server's algorithm list. A key that does not match is normal (clients offer several) and is not
 * counted as a failed login. A disabled user's key is refused the same way.
 */
public final class PublicKeyLogin implements PublickeyAuthenticator {

  private static final Logger log = LoggerFactory.getLogger(PublicKeyLogin.class);

  private final Map<String, List<PublicKey>> keys = new HashMap<>();
  private final UserRegistry users;
  private final LoginGuard guard;
  private final UserCertificates certificates;

  /** {@code caKeys}, {@code revokedSerials}: sftp.trustedUserCaKeys and sftp.revokedCertificateSerials. */
  public PublicKeyLogin(UserRegistry users, LoginGuard guard, List<String> caKeys, java.util.Set<Long> revokedSerials)
      throws IOException {
    this.users = users;
    this.guard = guard;
    this.certificates = new UserCertificates(caKeys, revokedSerials);
    for (User user : users.all()) {
      keys.put(user.name(), decode(user));
    }
  }

  private static List<PublicKey> decode(User user) throws IOException {
    List<PublicKey> decoded = new ArrayList<>();
    for (int i = 0; i < user.publicKeys().size(); i++) {
      try {
        AuthorizedKeyEntry entry = AuthorizedKeyEntry.parseAuthorizedKeyEntry(user.publicKeys().get(i));
        decoded.add(entry.resolvePublicKey(null, PublicKeyEntryResolver.FAILING));
      } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
        throw new IOException("user " + user.name() + ": publicKeys[" + i + "] cannot be decoded: " + e.getMessage(), e);
      }
    }
    return List.copyOf(decoded);
  }

  /**
   * The user {@code username} whose key {@code key} is: declared in ferry.yaml (keys decoded at
   * start), kept as data (read at each login, so a key removed on any node is refused at once), or
   * admitted by the embedding application's authenticator; null when the key is not theirs.
   */
  private User owner(String username, PublicKey key, String address) {
    if (users.configured(username)) {
      return listed(keys.getOrDefault(username, List.of()), key) ? users.find(username).orElse(null) : null;
    }
    Optional<User> kept = users.kept(username);
    if (kept.isEmpty()) {
      try {
        return users.authenticateKey(username, key, new LoginSource("SFTP", address)).orElse(null);
      } catch (IdentityUnavailableException e) {
        log.error("SFTP key login as {} from {} refused: {}; not counted as a failed login",
            ClientText.forLog(username), address, e.getMessage());
        return null;
      }
    }
    try {
      return listed(decode(kept.get()), key) ? kept.get() : null;
    } catch (IOException e) {
      log.error("SFTP login as {}: a key kept for the user cannot be decoded: {}", ClientText.forLog(username),
          e.getMessage());
      return null;
    }
  }

  private static boolean listed(List<PublicKey> keys, PublicKey key) {
    return keys.stream().anyMatch(k -> KeyUtils.compareKeys(k, key));
  }

  @Override
  public boolean authenticate(String username, PublicKey key, ServerSession session) {
    String address = FerryUsers.addressOf(session);
    if (guard.isBanned(address)) {
      log.warn("SFTP login as {} from banned address {} refused", ClientText.forLog(username), address);
      BanNotice.disconnect(session, address, guard.banDuration());
      return false;
    }
    User user;
    String how;
    if (key instanceof OpenSshCertificate certificate) {
      user = certificates.admits(username, certificate, session, address) ? users.find(username).orElse(null) : null;
      how = "certificate '" + ClientText.forLog(certificate.getId()) + "' serial "
          + Long.toUnsignedString(certificate.getSerial());
      if (user == null) {
        return false;
      }
    } else {
      user = owner(username, key, address);
      how = "key " + KeyUtils.getFingerPrint(key);
    }
    if (user == null) {
      log.debug("SFTP key {} not listed for user {}", KeyUtils.getFingerPrint(key), ClientText.forLog(username));
      return false;
    }
    if (!guard.admits("SFTP", user, how, address)) {
      // Refused as a key that is not listed would be; the AUTH_FAILURE event says why.
      SessionSlots.Slot slot = SshSessionSlots.slotOf(session);
      if (slot != null) {
        slot.loginFailed(username);
      }
      return false;
    }
    session.setAttribute(FerryUsers.USER, user);
    log.info("SFTP login ({}): {} from {}", how, username, address);
    return true;
  }
}
