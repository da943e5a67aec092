package dev.ferry.ftps.tls;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The server's TLS certificate chain and key: read from PEM files named in the config, or, when
 * none are configured, a self-signed certificate generated once with BouncyCastle and kept in the
 * data directory so that clients which pinned its fingerprint keep trusting it.
 */
public final class TlsMaterial {

  private final List<X509Certificate> chain;
  private final PrivateKey key;

  private TlsMaterial(List<X509Certificate> chain, PrivateKey key) {
    this.chain = chain;
    this.key = key;
  }

  public static TlsMaterial load(Path certificatePem, Path keyPem) throws IOException {
    List<X509Certificate> chain = readCertificates(certificatePem);
    if (chain.isEmpty()) {
      throw new IOException(certificatePem + " holds no PEM certificate");
    }
    return new TlsMaterial(chain, readKey(keyPem));
  }

  /** Loads the generated pair from {@code directory}, generating it on first start. */
  public static TlsMaterial loadOrGenerate(Path directory) throws IOException {
    Path cert = directory.resolve("ferry-selfsigned.crt");
    Path key = directory.resolve("ferry-selfsigned.key");
    if (!Files.exists(cert) || !Files.exists(key)) {
      generate(cert, key);
    }
    return load(cert, key);
  }

  public SSLContext sslContext() throws GeneralSecurityException {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try {
      store.load(null, null);
    } catch (IOException e) {
      throw new GeneralSecurityException(e);
    }
    char[] password = new char[0];
    store.setKeyEntry("ferry", key, password, chain.toArray(X509Certificate[]::new));
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(store, password);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(kmf.getKeyManagers(), null, new SecureRandom());
    return context;
  }

  /** SHA-256 fingerprint of the leaf certificate, as colon-separated upper-case hex. */
  public String fingerprint() {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(chain.get(0).getEncoded());
      return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  public String subject() {
    return chain.get(0).getSubjectX500Principal().getName();
  }

  private static void generate(Path certFile, Path keyFile) throws IOException {
    try {
      Files.createDirectories(certFile.getParent());
      // ECDSA P-256, not RSA: a client that does not resume the control connection's TLS session on
      // each data connection (Python's ftplib, Apache Commons Net's FTPSClient) has the server sign
      // a full handshake per file, and an RSA-3072 signature took the JDK ~3 ms of CPU per file.
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      KeyPair pair = generator.generateKeyPair();
      X500Name name = new X500Name("CN=" + hostName() + ",O=Ferry self-signed");
      Instant now = Instant.now();
      JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name,
          new BigInteger(64, new SecureRandom()), Date.from(now.minus(Duration.ofDays(1))),
          Date.from(now.plus(Duration.ofDays(3650))), name, pair.getPublic());
      builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
          new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
      X509CertificateHolder holder = builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate()));
      X509Certificate cert = new JcaX509CertificateConverter().getCertificate(holder);
      // PKCS#8 ("PRIVATE KEY"), which names the curve with the key; BouncyCastle writes an EC key
      // given as it is in SEC1 form without its public part, which it then cannot read back.
      writePem(keyFile, new JcaPKCS8Generator(pair.getPrivate(), null));
      writePem(certFile, cert);
    } catch (GeneralSecurityException | org.bouncycastle.operator.OperatorCreationException e) {
      throw new IOException("cannot generate a self-signed certificate: " + e.getMessage(), e);
    }
  }

  private static String hostName() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName().toLowerCase(Locale.ROOT);
    } catch (IOException e) {
      return "localhost";
    }
  }

  private static void writePem(Path file, Object object) throws IOException {
    Path temp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.deleteIfExists(temp);
    Files.createFile(temp);
    try {
      Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException notPosix) {
      // a non-POSIX filesystem keeps its own default permissions
    }
    try (Writer out = Files.newBufferedWriter(temp, StandardCharsets.US_ASCII);
         JcaPEMWriter pem = new JcaPEMWriter(out)) {
      pem.writeObject(object);
    }
    Files.move(temp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  private static List<X509Certificate> readCertificates(Path file) throws IOException {
    List<X509Certificate> result = new ArrayList<>();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser parser = new PEMParser(reader)) {
      Object item;
      while ((item = parser.readObject()) != null) {
        if (item instanceof X509CertificateHolder holder) {
          result.add(new JcaX509CertificateConverter().getCertificate(holder));
        }
      }
    } catch (GeneralSecurityException e) {
      throw new IOException(file + " holds an unreadable certificate: " + e.getMessage(), e);
    }
    return result;
  }

  private static PrivateKey readKey(Path file) throws IOException {
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser parser = new PEMParser(reader)) {
      Object item;
      JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
      while ((item = parser.readObject()) != null) {
        if (item instanceof PEMKeyPair pair) {
          return converter.getKeyPair(pair).getPrivate();
        }
        if (item instanceof PrivateKeyInfo info) {
          return converter.getPrivateKey(info);
        }
      }
    }
    throw new IOException(file + " holds no unencrypted PEM private key");
  }
}
