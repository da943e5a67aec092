package dev.ferry.ssh;

import java.security.PrivateKey;
import java.security.PublicKey;
import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.config.keys.OpenSshCertificate;
import org.apache.sshd.common.session.SessionContext;
import org.apache.sshd.common.signature.BuiltinSignatures;
import org.apache.sshd.common.signature.Signature;

/**
 * A user key signature made with an OpenSSH certificate's key (ssh-ed25519-cert-v01@openssh.com and
 * the others). MINA SSHD 2.15's server hands its verifier the certificate itself, which none of its
 * signature classes can read ("cannot identify EdDSA public key"), so no certificate login could
 * succeed; this verifier checks with the certified key inside, as OpenSSH does. Whether the
 * certificate itself is to be trusted is decided before, by the public key authenticator.
 */
final class CertificateSignature implements Signature {

  private final Signature plain;

  private CertificateSignature(Signature plain) {
    this.plain = plain;
  }

  /** A factory named as {@code certificate} that verifies with {@code plain}'s algorithm on the certified key. */
  static NamedFactory<Signature> factory(BuiltinSignatures certificate, BuiltinSignatures plain) {
    return new NamedFactory<>() {
      @Override
      public Signature create() {
        return new CertificateSignature(plain.create());
      }

      @Override
      public String getName() {
        return certificate.getName();
      }
    };
  }

  @Override
  public void initVerifier(SessionContext session, PublicKey key) throws Exception {
    plain.initVerifier(session, key instanceof OpenSshCertificate certificate ? certificate.getCertPubKey() : key);
  }

  @Override
  public void initSigner(SessionContext session, PrivateKey key) throws Exception {
    plain.initSigner(session, key);
  }

  @Override
  public void update(SessionContext session, byte[] hash, int off, int len) throws Exception {
    plain.update(session, hash, off, len);
  }

  @Override
  public boolean verify(SessionContext session, byte[] sig) throws Exception {
    return plain.verify(session, sig);
  }

  @Override
  public byte[] sign(SessionContext session) throws Exception {
    return plain.sign(session);
  }

  @Override
  public String getAlgorithm() {
    return plain.getAlgorithm();
  }

  @Override
  public String getSshAlgorithmName(String algo) {
    return plain.getSshAlgorithmName(algo);
  }
}
