package dev.ferry.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.event.SessionEvent;
import dev.ferry.core.testing.Await;
import dev.ferry.core.testing.RecordedEvents;
import dev.ferry.core.testing.S3TestServer;
import dev.ferry.core.user.PasswordHasher;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PROXY protocol on every listener of a whole Ferry that trusts one balancer address
 * (127.0.0.10): a connection from it is the client its header names (v1 and v2, as HAProxy's
 * send-proxy and send-proxy-v2 write them) in events, session lists and bans, and FTPS keeps its
 * greeting back until the header is read; a connection from it without a header, or one from any
 * other address with a header, is closed before it is served. it/two-nodes.sh runs real clients
 * through a real HAProxy.
 */
class ProxyProtocolIT {

  private static final String BALANCER = "127.0.0.10";
  private static final String TOKEN = "proxy-token-0123456789";

  @RegisterExtension
  static final S3TestServer s3 = new S3TestServer();

  @TempDir
  static Path dir;

  static FerryServer ferry;

  @BeforeAll
  static void start() throws Exception {
    String bucket = s3.createBucket();
    ferry = EmbeddedFerry.start(dir, EmbeddedFerry.loopbackConfig(dir.resolve("data"), s3).replace(
        "implicitPort: -1", "implicitPort: 0") + EmbeddedFerry.adminHttp(TOKEN) + """
        proxyProtocol:
          trustedFrom: [127.0.0.10/32]
        login:
          maxFailures: 1
        users:
          - name: alice
            passwordHash: "%s"
            home: s3://%s/alice/
            permissions: [all]
        """.formatted(PasswordHasher.hash("alice-password".toCharArray()), bucket), Map.of());
  }

  @AfterAll
  static void stop() {
    if (ferry != null) {
      ferry.stop();
    }
  }

  private static Socket connect(String from, int port) throws IOException {
    Socket socket = new Socket();
    socket.bind(new InetSocketAddress(from, 0));
    socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
    socket.setSoTimeout(10_000);
    return socket;
  }

  private static byte[] v1(String client, int port) {
    return ("PROXY TCP4 " + client + " 127.0.0.1 40000 " + port + "\r\n").getBytes(StandardCharsets.US_ASCII);
  }

  /** HAProxy's send-proxy-v2 for client:40000 -> 127.0.0.1:port (TCP over IPv4, no TLVs). */
  private static byte[] v2(String client, int port) throws IOException {
    byte[] source = java.net.InetAddress.getByName(client).getAddress();
    return HexFormat.of().parseHex("0d0a0d0a000d0a515549540a" + "21" + "11" + "000c"
        + HexFormat.of().formatHex(source) + "7f000001" + "9c40" + String.format("%04x", port));
  }

  /** Everything the server sends until it closes the connection; fails if it keeps it open for 10 s. */
  private static String readUntilClosed(Socket socket) throws IOException {
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    InputStream in = socket.getInputStream();
    byte[] buffer = new byte[4096];
    try {
      int n;
      while ((n = in.read(buffer)) != -1) {
        got.write(buffer, 0, n);
      }
    } catch (java.net.SocketException reset) {
      // closed with unread bytes: a reset is a close too
    }
    return got.toString(StandardCharsets.ISO_8859_1);
  }

  private static String readLine(Socket socket) throws IOException {
    StringBuilder line = new StringBuilder();
    InputStream in = socket.getInputStream();
    int c;
    while ((c = in.read()) != -1 && c != '\n') {
      line.append((char) c);
    }
    return line.toString().trim();
  }

  private static boolean connectedFrom(RecordedEvents events, String protocol, String address) {
    return events.sessions().stream().anyMatch(e -> e.type() == SessionEvent.Type.CONNECTED
        && e.session().protocol().equals(protocol) && e.session().address().equals(address));
  }

  @Test
  void ftps_v2HeaderFromBalancer_greetingWaitsForItAndTheSessionIsTheClients() throws Exception {
    try (RecordedEvents events = RecordedEvents.of(ferry.events());
        Socket socket = connect(BALANCER, ferry.ftps().port())) {
      socket.setSoTimeout(700);
      try {
        int first = socket.getInputStream().read();
        throw new AssertionError("the greeting came before the header: " + (char) first);
      } catch (SocketTimeoutException expected) {
        // held back until the client is known
      }
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(v2("127.0.0.66", ferry.ftps().port()));
      assertTrue(readLine(socket).startsWith("220"), "greeting after the header");
      assertTrue(connectedFrom(events, "FTPS", "127.0.0.66"), "CONNECTED names the header's client: " + events.sessions());
      assertTrue(!connectedFrom(events, "FTPS", BALANCER), "no session of the balancer itself");
    }
  }

  @Test
  void ftps_bannedClientBehindBalancer_isRefusedAndOthersAreNot() throws Exception {
    ferry.gateway().loginGuard().attempt("FTPS", ferry.gateway().users(), "nobody", "x".toCharArray(), "127.0.0.77");
    Await.until(() -> ferry.gateway().loginGuard().isBanned("127.0.0.77"), "127.0.0.77 banned after maxFailures 1");
    try (Socket banned = connect(BALANCER, ferry.ftps().port());
        Socket other = connect(BALANCER, ferry.ftps().port())) {
      banned.getOutputStream().write(v1("127.0.0.77", ferry.ftps().port()));
      assertTrue(readLine(banned).startsWith("421"), "the banned client is refused at the greeting");
      other.getOutputStream().write(v1("127.0.0.78", ferry.ftps().port()));
      assertTrue(readLine(other).startsWith("220"), "another client of the same balancer is greeted");
    }
  }

  @Test
  void ftps_noHeaderFromBalancer_isClosedUnserved() throws Exception {
    try (Socket socket = connect(BALANCER, ferry.ftps().port())) {
      socket.getOutputStream().write("AUTH TLS\r\n".getBytes(StandardCharsets.US_ASCII));
      assertEquals("", readUntilClosed(socket), "closed without a greeting");
    }
  }

  @Test
  void ftps_headerFromOtherAddress_isClosed() throws Exception {
    try (Socket socket = connect("127.0.0.1", ferry.ftps().port())) {
      assertTrue(readLine(socket).startsWith("220"));
      socket.getOutputStream().write(v1("127.0.0.66", ferry.ftps().port()));
      socket.getOutputStream().write("USER alice\r\n".getBytes(StandardCharsets.US_ASCII));
      assertEquals("", readUntilClosed(socket), "closed without an answer to the claimed address");
    }
  }

  @Test
  void ftpsImplicit_headerFromOtherAddress_isClosedBeforeTls() throws Exception {
    try (Socket socket = connect("127.0.0.1", ferry.ftps().implicitPort())) {
      socket.getOutputStream().write(v2("127.0.0.66", ferry.ftps().implicitPort()));
      assertEquals("", readUntilClosed(socket));
    }
  }

  @Test
  void sftp_v1HeaderFromBalancer_sessionIsTheClients() throws Exception {
    try (RecordedEvents events = RecordedEvents.of(ferry.events());
        Socket socket = connect(BALANCER, ferry.sftp().port())) {
      socket.getOutputStream().write(v1("127.0.0.67", ferry.sftp().port()));
      socket.getOutputStream().write("SSH-2.0-ProxyProtocolIT\r\n".getBytes(StandardCharsets.US_ASCII));
      assertTrue(readLine(socket).startsWith("SSH-2.0-"), "the server's identification");
      Await.until(() -> connectedFrom(events, "SFTP", "127.0.0.67"), "CONNECTED names the header's client");
      assertTrue(!connectedFrom(events, "SFTP", BALANCER));
    }
  }

  @Test
  void sftp_noHeaderFromBalancer_isClosed() throws Exception {
    try (RecordedEvents events = RecordedEvents.of(ferry.events());
        Socket socket = connect(BALANCER, ferry.sftp().port())) {
      socket.getOutputStream().write("SSH-2.0-NoHeader\r\n".getBytes(StandardCharsets.US_ASCII));
      readUntilClosed(socket);
      assertTrue(!connectedFrom(events, "SFTP", BALANCER), "no session slot for it: " + events.sessions());
    }
  }

  @Test
  void sftp_headerFromOtherAddress_isClosed() throws Exception {
    try (RecordedEvents events = RecordedEvents.of(ferry.events());
        Socket socket = connect("127.0.0.1", ferry.sftp().port())) {
      socket.getOutputStream().write(v2("127.0.0.68", ferry.sftp().port()));
      socket.getOutputStream().write("SSH-2.0-Claimer\r\n".getBytes(StandardCharsets.US_ASCII));
      readUntilClosed(socket);
      assertTrue(!connectedFrom(events, "SFTP", "127.0.0.68"), "the claimed address is no session's");
    }
  }

  @Test
  void adminHttp_headerFromBalancer_sessionsListTheClient() throws Exception {
    int port = ferry.adminHttp().port();
    try (Socket socket = connect(BALANCER, port)) {
      socket.getOutputStream().write(v1("127.0.0.69", port));
      socket.getOutputStream().write(("POST /api/sessions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + TOKEN
          + "\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")
          .getBytes(StandardCharsets.US_ASCII));
      String response = readUntilClosed(socket);
      assertTrue(response.startsWith("HTTP/1.1 200"), response);
      assertTrue(response.contains("127.0.0.69"), "the admin session is listed from the header's client: " + response);
    }
  }

  @Test
  void adminHttp_noHeaderFromBalancer_orHeaderFromOthers_isClosedUnanswered() throws Exception {
    int port = ferry.adminHttp().port();
    byte[] request = ("GET /api/sessions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + TOKEN + "\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII);
    try (Socket socket = connect(BALANCER, port)) {
      socket.getOutputStream().write(request);
      assertEquals("", readUntilClosed(socket));
    }
    try (Socket socket = connect("127.0.0.1", port)) {
      socket.getOutputStream().write(v1("127.0.0.69", port));
      socket.getOutputStream().write(request);
      assertEquals("", readUntilClosed(socket));
    }
  }
}
