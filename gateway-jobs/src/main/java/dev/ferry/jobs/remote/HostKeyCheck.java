package dev.ferry.jobs.remote;

import java.io.IOException;
import java.net.SocketAddress;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.sshd.client.keyverifier.ServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;

/**
 * Accepts exactly the host key configured for one remote: a known_hosts line (host patterns are
 * ignored, the key must match) or a SHA256 fingerprint. There is no accept-any fallback. The last
 * refused key's fingerprint is kept here (one check per remote) for the error message, because a
 * failed key exchange can end the connect before the caller holds the session.
 */
public final class HostKeyCheck implements ServerKeyVerifier {

  private final RemoteHost host;
  private final PublicKey expectedKey;
  private final AtomicReference<String> rejected = new AtomicReference<>();

  HostKeyCheck(RemoteHost host) throws IOException {
    this.host = host;
    this.expectedKey = host.hostKey().startsWith("SHA256:") ? null : parseKnownHostsLine(host.hostKey());
  }

  /**
   * The SHA256 fingerprint of the key {@code host} is trusted with, as {@code ssh-keygen -lf} shows
   * it: for operators to compare with the remote's own, without reading a known_hosts line.
   */
  public static String fingerprint(RemoteHost host) throws IOException {
    return host.hostKey().startsWith("SHA256:") ? host.hostKey()
        : KeyUtils.getFingerPrint(new HostKeyCheck(host).expectedKey);
  }

  private PublicKey parseKnownHostsLine(String line) throws IOException {
    String[] words = line.trim().split("\\s+");
    for (int i = 0; i < words.length; i++) {
      if (words[i].startsWith("ssh-") || words[i].startsWith("ecdsa-")) {
        try {
          PublicKeyEntry entry = PublicKeyEntry.parsePublicKeyEntry(words[i] + " " + words[i + 1]);
          return entry.resolvePublicKey(null, Map.of(), PublicKeyEntryResolver.FAILING);
        } catch (GeneralSecurityException | RuntimeException e) {
          break;
        }
      }
    }
    throw new IOException("remote '" + host.name() + "': hostKey is not a usable known_hosts line: '" + line + "'");
  }

  @Override
  public boolean verifyServerKey(ClientSession session, SocketAddress remoteAddress, PublicKey serverKey) {
    boolean matches = expectedKey == null
        ? Boolean.TRUE.equals(KeyUtils.checkFingerPrint(host.hostKey(), serverKey).getKey())
        : KeyUtils.compareKeys(expectedKey, serverKey);
    rejected.set(matches ? null : KeyUtils.getFingerPrint(serverKey));
    return matches;
  }

  /** The fingerprint of the key last refused, or null when the last check passed. */
  String rejected() {
    return rejected.get();
  }
}
