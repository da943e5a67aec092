package dev.ferry.sftp.auth;

import dev.ferry.core.session.ClientText;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.config.keys.AuthorizedKeyEntry;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.OpenSshCertificate;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.common.signature.Signature;
import org.apache.sshd.server.session.ServerSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OpenSSH user certificates, as sshd's {@code TrustedUserCAKeys}: a certificate logs its holder in
 * as a user when it is signed by one of {@code sftp.trustedUserCaKeys} (the signature checked over
 * the certificate's bytes), is a user certificate valid now, names the user among its principals
 * (a certificate without principals is refused, as sshd refuses it), carries no critical option
 * Ferry does not enforce (force-command, source-address: refused, never silently ignored), and its
 * serial is not in {@code sftp.revokedCertificateSerials}. Each refusal is logged with the reason,
 * the certificate's id and serial. MINA checks the key's own signature of the login afterwards,
 * with the certified key.
 */
final class UserCertificates {

  private static final Logger log = LoggerFactory.getLogger(UserCertificates.class);

  private final List<PublicKey> authorities;
  private final Set<Long> revoked;

  UserCertificates(List<String> caKeyLines, Set<Long> revokedSerials) throws IOException {
    List<PublicKey> keys = new ArrayList<>();
    for (int i = 0; i < caKeyLines.size(); i++) {
      try {
        keys.add(AuthorizedKeyEntry.parseAuthorizedKeyEntry(caKeyLines.get(i))
            .resolvePublicKey(null, PublicKeyEntryResolver.FAILING));
      } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
        throw new IOException("sftp.trustedUserCaKeys[" + i + "] cannot be decoded: " + e.getMessage(), e);
      }
    }
    this.authorities = List.copyOf(keys);
    this.revoked = Set.copyOf(revokedSerials);
  }

  /** Whether {@code certificate} may log in as {@code username}; a refusal is logged with its reason. */
  boolean admits(String username, OpenSshCertificate certificate, ServerSession session, String address) {
    String problem = problem(username, certificate, session);
    if (problem != null) {
      log.warn("SFTP certificate login as {} from {} refused: {} (certificate id '{}', serial {}, CA {})",
          ClientText.forLog(username), address, problem, ClientText.forLog(certificate.getId()),
          Long.toUnsignedString(certificate.getSerial()), KeyUtils.getFingerPrint(certificate.getCaPubKey()));
      return false;
    }
    return true;
  }

  private String problem(String username, OpenSshCertificate certificate, ServerSession session) {
    if (authorities.stream().noneMatch(ca -> KeyUtils.compareKeys(ca, certificate.getCaPubKey()))) {
      return "signed by a CA that is not in sftp.trustedUserCaKeys";
    }
    try {
      if (!signedByItsCa(certificate, session)) {
        return "the CA's signature does not verify";
      }
    } catch (Exception e) {
      return "the CA's signature cannot be checked: " + e.getMessage();
    }
    if (certificate.getType() != OpenSshCertificate.Type.USER) {
      return "a host certificate, not a user certificate";
    }
    if (!OpenSshCertificate.isValidNow(certificate)) {
      return "not valid now (expired or not yet valid)";
    }
    if (certificate.getPrincipals() == null || certificate.getPrincipals().isEmpty()) {
      return "the certificate names no principals";
    }
    if (!certificate.getPrincipals().contains(username)) {
      return "its principals " + certificate.getPrincipals() + " do not include the user";
    }
    if (certificate.getCriticalOptions() != null && !certificate.getCriticalOptions().isEmpty()) {
      return "it carries critical options Ferry does not enforce: "
          + certificate.getCriticalOptions().stream().map(OpenSshCertificate.CertificateOption::getName).toList();
    }
    if (revoked.contains(certificate.getSerial())) {
      return "its serial is in sftp.revokedCertificateSerials";
    }
    return null;
  }

  /** The CA's signature over the certificate's bytes, as MINA's client checks a host certificate. */
  private static boolean signedByItsCa(OpenSshCertificate certificate, ServerSession session) throws Exception {
    PublicKey ca = certificate.getCaPubKey();
    String algorithm = KeyUtils.getKeyType(ca);
    String variant = certificate.getSignatureAlgorithm();
    if (variant != null && !variant.isEmpty() && KeyPairProvider.SSH_RSA.equals(KeyUtils.getCanonicalKeyType(variant))) {
      algorithm = variant; // an RSA CA signs with rsa-sha2-256 or -512: verify with that one
    }
    Signature verifier = NamedFactory.create(session.getSignatureFactories(), algorithm);
    if (verifier == null) {
      throw new GeneralSecurityException("no verifier for " + algorithm);
    }
    verifier.initVerifier(session, ca);
    verifier.update(session, certificate.getMessage());
    return verifier.verify(session, certificate.getSignature());
  }
}
