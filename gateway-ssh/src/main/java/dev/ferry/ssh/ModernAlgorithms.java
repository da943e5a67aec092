package dev.ferry.ssh;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.cipher.BuiltinCiphers;
import org.apache.sshd.common.cipher.CipherFactory;
import org.apache.sshd.common.compression.BuiltinCompressions;
import org.apache.sshd.common.kex.BuiltinDHFactories;
import org.apache.sshd.common.kex.DHFactory;
import org.apache.sshd.common.kex.KexFactoryManager;
import org.apache.sshd.common.kex.KeyExchangeFactory;
import org.apache.sshd.common.mac.BuiltinMacs;
import org.apache.sshd.common.mac.MacFactory;
import org.apache.sshd.common.signature.BuiltinSignatures;
import org.apache.sshd.common.signature.Signature;

/**
 * The SSH algorithms Ferry offers, as its SFTP server (gateway-sftp) and as the client that connects
 * to transfer remotes (gateway-jobs): modern only (no SHA-1 key exchange or signatures, no CBC),
 * fastest first. One list for both, in a module of its own so that neither side depends on the
 * other; it names MINA's common algorithm types only, and each side passes its own key exchange
 * builder ({@code ServerBuilder.DH2KEX}, {@code ClientBuilder.DH2KEX}).
 */
public final class ModernAlgorithms {

  /**
   * Key exchange as a client to transfer remotes, old servers included: no SHA-1 groups
   * (group1/group14-sha1, group-exchange-sha1). curve25519 first: each job opens a connection, and
   * it is the cheapest exchange.
   */
  static final List<BuiltinDHFactories> KEX = List.of(BuiltinDHFactories.curve25519, BuiltinDHFactories.curve25519_libssh,
      BuiltinDHFactories.ecdhp256, BuiltinDHFactories.ecdhp384, BuiltinDHFactories.ecdhp521,
      BuiltinDHFactories.dhg16_512, BuiltinDHFactories.dhg18_512);
  /**
   * Key exchange as the SFTP server, after ssh-audit's hardening guide: the post-quantum hybrids
   * (OpenSSH 9.0+ picks sntrup761x25519 unless told otherwise, 9.9+ mlkem768x25519), curve25519,
   * and the 4096 and 8192-bit groups; not the NIST curves (ecdh-sha2-nistp*), which ssh-audit
   * fails. Clients that know only those (JSch 0.1.55 and older) cannot connect; its maintained fork
   * (com.github.mwiede:jsch), paramiko, libssh2, PuTTY and OpenSSH all have curve25519.
   */
  static final List<BuiltinDHFactories> SERVER_KEX = supported(BuiltinDHFactories.mlkem768x25519,
      BuiltinDHFactories.sntrup761x25519_openssh, BuiltinDHFactories.sntrup761x25519, BuiltinDHFactories.curve25519,
      BuiltinDHFactories.curve25519_libssh, BuiltinDHFactories.dhg16_512, BuiltinDHFactories.dhg18_512);
  /**
   * Compression: none, or zlib only once the client has logged in (zlib@openssh.com). MINA also
   * offers plain "zlib", which inflates what anyone sends before authentication.
   */
  static final List<BuiltinCompressions> SERVER_COMPRESSION = List.of(BuiltinCompressions.none,
      BuiltinCompressions.delayedZlib);
  /**
   * Ciphers: AES-GCM first, then CTR for older peers (paramiko 2, libssh2 1.10), no CBC. The JDK
   * runs AES on AES-NI; MINA's chacha20-poly1305 is plain Java: a 1 GiB get from Ferry ran at
   * 139 MB/s over it, 303 over aes128-ctr and 320 to 380 over aes128-gcm. As a client Ferry keeps
   * chacha20 last, for a remote that offers nothing else. CTR is Ferry's own wrapper of the JDK's
   * ({@link CtrCiphers}), which allocates nothing per packet.
   */
  static final List<CipherFactory> CIPHERS = List.of(BuiltinCiphers.aes128gcm, BuiltinCiphers.aes256gcm,
      CtrCiphers.AES128_CTR, CtrCiphers.AES192_CTR, CtrCiphers.AES256_CTR, BuiltinCiphers.cc20p1305_openssh);
  /**
   * The server does not offer chacha20-poly1305: SSH takes the client's first choice the server
   * offers, and OpenSSH's default order puts chacha20 first, so a user who pins nothing would get
   * the slow cipher; without it, OpenSSH's default is aes128-ctr.
   */
  static final List<CipherFactory> SERVER_CIPHERS = CIPHERS.stream()
      .filter(cipher -> cipher != BuiltinCiphers.cc20p1305_openssh).toList();
  /**
   * MACs (for CTR): UMAC first, then SHA-2, encrypt-then-MAC before the plain ones. OpenSSH's own
   * order starts with umac-64-etm, so a default OpenSSH client (aes128-ctr against this server) gets
   * it: per core, aes128-ctr with it seals 32 KiB packets at 2.6 GB/s, against 1.5 with
   * hmac-sha2-256-etm (bench/SshCipherBench.java, JDK 17). paramiko and libssh2 have no UMAC and
   * pick hmac-sha2-256(-etm). The plain SHA-2 ones stay, last, because libssh2 before 1.11 (curl's
   * sftp:// on Debian 12) knows no other. The same list is what Ferry offers as a client to
   * transfer remotes, where an OpenSSH server picks umac-64-etm too.
   */
  static final List<MacFactory> MACS = List.of(UmacMacs.UMAC_64_ETM, UmacMacs.UMAC_128_ETM, BuiltinMacs.hmacsha256etm,
      BuiltinMacs.hmacsha512etm, BuiltinMacs.hmacsha256, BuiltinMacs.hmacsha512);
  /** Host key and user key signatures: no ssh-rsa (SHA-1), no DSA. */
  static final List<BuiltinSignatures> SIGNATURES = List.of(BuiltinSignatures.ed25519, BuiltinSignatures.nistp256,
      BuiltinSignatures.nistp384, BuiltinSignatures.nistp521, BuiltinSignatures.rsaSHA512, BuiltinSignatures.rsaSHA256);
  /**
   * The OpenSSH certificate variants of the same, after them, for user certificates
   * (sftp.trustedUserCaKeys), each verifying with the certified key ({@link CertificateSignature}).
   * A host key algorithm is offered only for a host key Ferry has: without certificates they change
   * nothing a client sees.
   */
  static final Map<BuiltinSignatures, BuiltinSignatures> CERTIFICATES = Map.of(
      BuiltinSignatures.ed25519_cert, BuiltinSignatures.ed25519,
      BuiltinSignatures.nistp256_cert, BuiltinSignatures.nistp256,
      BuiltinSignatures.nistp384_cert, BuiltinSignatures.nistp384,
      BuiltinSignatures.nistp521_cert, BuiltinSignatures.nistp521,
      BuiltinSignatures.rsaSHA512_cert, BuiltinSignatures.rsaSHA512,
      BuiltinSignatures.rsaSHA256_cert, BuiltinSignatures.rsaSHA256);

  private ModernAlgorithms() {}

  /** For Ferry's SSH server: {@code dh2kex} is MINA's {@code ServerBuilder.DH2KEX}. */
  public static void applyToServer(KexFactoryManager server, Function<DHFactory, KeyExchangeFactory> dh2kex) {
    server.setKeyExchangeFactories(NamedFactory.setUpTransformedFactories(false, SERVER_KEX, dh2kex));
    server.setCompressionFactories(List.copyOf(SERVER_COMPRESSION));
    applyCommon(server, SERVER_CIPHERS);
  }

  /** The hybrids need BouncyCastle's ML-KEM or MINA's sntrup761: offered only where this JVM has them. */
  private static List<BuiltinDHFactories> supported(BuiltinDHFactories... factories) {
    return java.util.Arrays.stream(factories).filter(BuiltinDHFactories::isSupported).toList();
  }

  /** For Ferry's SSH client to transfer remotes: {@code dh2kex} is MINA's {@code ClientBuilder.DH2KEX}. */
  public static void applyToClient(KexFactoryManager client, Function<DHFactory, KeyExchangeFactory> dh2kex) {
    client.setKeyExchangeFactories(NamedFactory.setUpTransformedFactories(false, KEX, dh2kex));
    applyCommon(client, CIPHERS);
  }

  private static void applyCommon(KexFactoryManager manager, List<CipherFactory> ciphers) {
    manager.setCipherFactories(List.copyOf(NamedFactory.setUpBuiltinFactories(false, ciphers)));
    manager.setMacFactories(List.copyOf(NamedFactory.setUpBuiltinFactories(false, MACS)));
    List<NamedFactory<Signature>> signatures = new ArrayList<>(NamedFactory.setUpBuiltinFactories(false, SIGNATURES));
    for (BuiltinSignatures plain : SIGNATURES) {
      CERTIFICATES.entrySet().stream().filter(e -> e.getValue() == plain && e.getKey().isSupported())
          .forEach(e -> signatures.add(CertificateSignature.factory(e.getKey(), plain)));
    }
    manager.setSignatureFactories(List.copyOf(signatures));
  }
}
