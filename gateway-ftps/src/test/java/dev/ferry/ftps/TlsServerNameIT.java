package dev.ferry.ftps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.testing.S3TestServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.List;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.StandardConstants;
import javax.net.ssl.TrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * lftp sends the address it connects to as TLS SNI, "::1" included (RFC 6066 allows host names
 * only). The JDK refused that ClientHello with illegal_parameter ("Illegal server name,
 * type=host_name(0), name=::1"), lftp fell back to plain FTP and was refused. Ferry ignores the name,
 * as OpenSSL-based servers do: here a JDK client sends "::1" as SNI on the control connection
 * (explicit and implicit TLS) and on a data connection, byte for byte as lftp does.
 */
class TlsServerNameIT {

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
  static void stop() throws IOException {
    ferry.close();
  }

  @ParameterizedTest(name = "implicit TLS: {0}")
  @ValueSource(booleans = {false, true})
  void tls_ipLiteralServerName_controlAndDataConnectionsWork(boolean implicit) throws Exception {
    int port = implicit ? ferry.server.implicitPort() : ferry.server.port();
    try (Socket tcp = new Socket("127.0.0.1", port)) {
      Control control;
      if (implicit) {
        control = new Control(withIpLiteralName(tcp));
        control.expect(220);
      } else {
        Control plain = new Control(tcp);
        plain.expect(220);
        plain.send("AUTH TLS", 234);
        control = new Control(withIpLiteralName(tcp));
      }
      control.send("USER alice", 331);
      control.send("PASS " + FtpsTestGateway.PASSWORD, 230);
      control.send("PBSZ 0", 200);
      control.send("PROT P", 200);
      String epsv = control.send("EPSV", 229);
      int dataPort = Integer.parseInt(epsv.replaceAll(".*\\(\\|\\|\\|(\\d+)\\|\\).*", "$1"));
      try (Socket dataTcp = new Socket("127.0.0.1", dataPort)) {
        control.send("NLST /", 150);
        SSLSocket data = withIpLiteralName(dataTcp);
        data.getInputStream().readAllBytes();
      }
      control.expect(226);
      control.send("QUIT", 221);
    }
  }

  /** The TLS layer over {@code tcp}, its ClientHello naming "::1" as host_name, as lftp's does. */
  private static SSLSocket withIpLiteralName(Socket tcp) throws IOException, GeneralSecurityException {
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, new TrustManager[] {FtpsTestGateway.TRUST_ALL}, null);
    SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(tcp, "127.0.0.1", tcp.getPort(), false);
    SSLParameters parameters = tls.getSSLParameters();
    // SNIHostName refuses "::1" itself; the bytes go out as a host_name all the same.
    parameters.setServerNames(List.of(new SNIServerName(StandardConstants.SNI_HOST_NAME,
        "::1".getBytes(StandardCharsets.US_ASCII)) {}));
    tls.setSSLParameters(parameters);
    tls.startHandshake();
    return tls;
  }

  /** The control connection, one command and its final reply line at a time. */
  private static final class Control {
    private final BufferedReader in;
    private final OutputStream out;

    Control(Socket socket) throws IOException {
      in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      out = socket.getOutputStream();
    }

    String send(String command, int expected) throws IOException {
      out.write((command + "\r\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
      return expect(expected);
    }

    String expect(int expected) throws IOException {
      String line;
      do {
        line = in.readLine();
        assertTrue(line != null, "the server closed the control connection, waiting for " + expected);
      } while (!line.matches("\\d{3} .*"));
      assertEquals(expected, Integer.parseInt(line.substring(0, 3)), line);
      return line;
    }
  }
}
