package dev.ferry.ftps.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ferry.core.crypto.EcdhProvider;
import dev.ferry.core.testing.TrustAll;
import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.AlgorithmConstraints;
import java.security.AlgorithmParameters;
import java.security.CryptoPrimitive;
import java.security.Key;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * TLS handshakes keyed on P-256, as GnuTLS clients key them, against Ferry's generated
 * certificate with the JVM's ECDH from {@link EcdhProvider}: both TLS versions Ferry offers, and
 * the bytes either way after them.
 */
class EcdheHandshakeTest {

  @TempDir
  static Path directory;
  private static SSLContext server;

  @BeforeAll
  static void start() throws Exception {
    EcdhProvider.install();
    server = TlsMaterial.loadOrGenerate(directory).sslContext();
  }

  /**
   * P-256 only: a client constraint on a curve also refuses the signatures made on it (the JDK checks
   * both against one constraint), and the generated certificate's key is on P-256.
   */
  @ParameterizedTest
  @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
  void handshake_keyed_on_p256_completes_and_carries_bytes(String protocol) throws Exception {
    String curve = "secp256r1";
    try (SSLServerSocket listening = (SSLServerSocket) server.getServerSocketFactory()
        .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      listening.setSoTimeout(10_000);
      CompletableFuture<String> served = CompletableFuture.supplyAsync(() -> {
        try (SSLSocket accepted = (SSLSocket) listening.accept()) {
          accepted.setSoTimeout(10_000);
          byte[] hello = new byte[5];
          new DataInputStream(accepted.getInputStream()).readFully(hello);
          accepted.getOutputStream().write("world".getBytes(StandardCharsets.US_ASCII));
          accepted.getOutputStream().flush();
          return new String(hello, StandardCharsets.US_ASCII) + " over " + accepted.getSession().getProtocol();
        } catch (Exception e) {
          throw new IllegalStateException("server side of " + protocol + " on " + curve, e);
        }
      });
      try (SSLSocket client = (SSLSocket) TrustAll.sslContext().getSocketFactory()
          .createSocket(InetAddress.getLoopbackAddress(), listening.getLocalPort())) {
        client.setSoTimeout(10_000);
        SSLParameters parameters = client.getSSLParameters();
        parameters.setProtocols(new String[] {protocol});
        parameters.setAlgorithmConstraints(new KeyAgreementOnlyOn(curve));
        client.setSSLParameters(parameters);
        OutputStream out = client.getOutputStream();
        out.write("hello".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        byte[] answer = new byte[5];
        new DataInputStream(client.getInputStream()).readFully(answer);
        assertArrayEquals("world".getBytes(StandardCharsets.US_ASCII), answer);
        assertEquals(protocol, client.getSession().getProtocol());
      }
      assertEquals("hello over " + protocol, served.get(10, TimeUnit.SECONDS));
    }
  }

  /** A client that keys only with {@code curve}: every other named group is refused for key agreement. */
  private record KeyAgreementOnlyOn(String curve) implements AlgorithmConstraints {
    private static final Set<String> GROUPS = Set.of("x25519", "x448", "secp256r1", "secp384r1", "secp521r1",
        "ffdhe2048", "ffdhe3072", "ffdhe4096", "ffdhe6144", "ffdhe8192");

    @Override
    public boolean permits(Set<CryptoPrimitive> primitives, String algorithm, AlgorithmParameters parameters) {
      return !primitives.contains(CryptoPrimitive.KEY_AGREEMENT) || !GROUPS.contains(algorithm.toLowerCase())
          || algorithm.equalsIgnoreCase(curve);
    }

    @Override
    public boolean permits(Set<CryptoPrimitive> primitives, Key key) {
      return true;
    }

    @Override
    public boolean permits(Set<CryptoPrimitive> primitives, String algorithm, Key key, AlgorithmParameters parameters) {
      return permits(primitives, algorithm, parameters);
    }
  }
}
