package dev.ferry.ftps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.testing.Await;
import dev.ferry.core.testing.S3TestServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients whose TLS handshake fails, on both FTPS ports, at Ferry's default session limits: each
 * failed connection must give its place back, so an address that tried with the wrong ciphers
 * (more often than {@code sessions.unauthenticatedPerAddress} allows at once) can still log in.
 * Before, MINA's SslFilter lost the close of a handshake that failed for want of a common cipher:
 * ten such connections (the default limit then) refused every later one from that address, for as
 * long as Ferry ran.
 */
class TlsFailureIT {

  /** More than the default sessions.unauthenticatedPerAddress (32). */
  private static final int FAILED_HANDSHAKES = 40;
  /** A TLS 1.2 suite Ferry refuses (CBC); the JDK client offers it when asked. */
  private static final String REFUSED_SUITE = "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA";

  @RegisterExtension
  static final S3TestServer s3 = new S3TestServer();

  @TempDir
  static Path dir;

  static FtpsTestGateway ferry;

  @BeforeAll
  static void start() throws IOException {
    ferry = new FtpsTestGateway(s3, dir, 5 * 1024 * 1024);
  }

  @AfterAll
  static void stop() {
    ferry.close();
  }

  @Test
  void implicitPort_handshakesWithNoCommonCipher_giveTheirSlotsBack() throws Exception {
    for (int i = 0; i < FAILED_HANDSHAKES; i++) {
      try (Socket tcp = new Socket("127.0.0.1", ferry.server.implicitPort())) {
        assertThrows(SSLException.class, () -> handshakeWithRefusedSuite(tcp, ferry.server.implicitPort()));
      }
    }
    slotsAllGivenBack();
    KillableFtpsClient client = ferry.connect(true);
    assertTrue(client.login("alice", FtpsTestGateway.PASSWORD), client.getReplyString());
    client.disconnect();
  }

  @Test
  void authTls_handshakesWithNoCommonCipher_giveTheirSlotsBack() throws Exception {
    for (int i = 0; i < FAILED_HANDSHAKES; i++) {
      try (Socket tcp = new Socket("127.0.0.1", ferry.server.port())) {
        BufferedReader replies = new BufferedReader(new InputStreamReader(tcp.getInputStream(), StandardCharsets.US_ASCII));
        assertTrue(replies.readLine().startsWith("220"), "greeting");
        OutputStream commands = tcp.getOutputStream();
        commands.write("AUTH TLS\r\n".getBytes(StandardCharsets.US_ASCII));
        commands.flush();
        assertTrue(replies.readLine().startsWith("234"), "AUTH TLS accepted");
        assertThrows(SSLException.class, () -> handshakeWithRefusedSuite(tcp, ferry.server.port()));
      }
    }
    slotsAllGivenBack();
    KillableFtpsClient client = ferry.login("alice");
    assertEquals(257, client.pwd());
    client.disconnect();
  }

  private static void handshakeWithRefusedSuite(Socket tcp, int port) throws Exception {
    SSLContext context = SSLContext.getInstance("TLSv1.2");
    context.init(null, new TrustManager[] {FtpsTestGateway.TRUST_ALL}, null);
    SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(tcp, "127.0.0.1", port, false);
    tls.setEnabledProtocols(new String[] {"TLSv1.2"});
    tls.setEnabledCipherSuites(new String[] {REFUSED_SUITE});
    tls.startHandshake();
  }

  private static void slotsAllGivenBack() {
    Await.until(() -> ferry.gateway.sessions().unauthenticated() == 0, Duration.ofSeconds(10),
        "the session slots of every failed connection given back");
  }
}
