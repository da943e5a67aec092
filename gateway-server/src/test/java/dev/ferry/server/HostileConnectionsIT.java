package dev.ferry.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.testing.Await;
import dev.ferry.core.testing.S3TestServer;
import dev.ferry.core.testing.TrustAll;
import dev.ferry.core.user.PasswordHasher;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPConnectionClosedException;
import org.apache.commons.net.ftp.FTPReply;
import org.apache.commons.net.ftp.FTPSClient;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClientFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15 items 1 and 4 reproduced on loopback against the whole Ferry (FTPS explicit and
 * implicit, SFTP, admin HTTP) at the default limits of the {@code sessions:} section and the
 * default passive port range: connections that never log in, clients that send a byte every 20 s,
 * one user or one address opening session after session, and sessions that ask for passive ports
 * and never use them. Hostile clients come from their own loopback addresses (127.0.0.0/8 is all
 * local); through each attack, users from 127.0.0.1 log in and move files.
 */
class HostileConnectionsIT {

  private static final String PASSWORD = "s3cret-Pa55";
  private static final String TOKEN = "test-token-0123456789abcdef";

  @RegisterExtension
  static final S3TestServer s3 = new S3TestServer();

  @RegisterExtension
  static final SshTestClient ssh = new SshTestClient();

  @TempDir
  static Path dir;

  static FerryServer ferry;
  static String bucket;
  static final HttpClient http = HttpClient.newHttpClient();

  private final List<AutoCloseable> hostile = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    bucket = s3.createBucket();
    String hash = PasswordHasher.hash(PASSWORD.toCharArray());
    StringBuilder users = new StringBuilder();
    for (String user : List.of("alice", "bob", "carol", "dave")) {
      users.append("""
            - name: %s
              passwordHash: "%s"
              home: s3://%s/%s/
              permissions: [all]
          """.formatted(user, hash, bucket, user));
    }
    String yaml = """
        dataDir: %s
        %s
        ftps:
          bindAddress: 127.0.0.1
          port: 0
          implicitPort: 0
        sftp:
          bindAddress: 127.0.0.1
          port: 0
        """.formatted(dir.resolve("data"), s3.configSection()) + EmbeddedFerry.adminHttp(TOKEN) + """
        users:
        %s""".formatted(users);
    ferry = EmbeddedFerry.start(dir, yaml, Map.of());
  }

  @AfterAll
  static void stop() {
    if (ferry != null) {
      ferry.stop();
    }
  }

  @AfterEach
  void closeHostileConnections() throws Exception {
    for (AutoCloseable connection : hostile) {
      connection.close();
    }
    hostile.clear();
    Await.until(() -> ferry.gateway().sessions().unauthenticated() == 0, Duration.ofSeconds(30),
        "every hostile connection to be gone");
  }

  @Test
  void silentConnections_fromOneAddress_getTheirShare_andUsersStillLogInOnEveryPort() throws Exception {
    List<Socket> ftps = silent("127.0.0.3", ferry.ftps().port(), 200);
    // The address's connections past its 32 were told why in place of the greeting.
    Map<String, Integer> greetings = new TreeMap<>();
    for (Socket socket : ftps) {
      greetings.merge(readLine(socket), 1, Integer::sum);
    }
    assertEquals(Map.of("220 Service ready for new user.", 32,
        "421 Too many connections from 127.0.0.3 that have not logged in (32)", 168), greetings);

    silent("127.0.0.2", ferry.sftp().port(), 200);
    silent("127.0.0.4", ferry.ftps().implicitPort(), 200);
    silent("127.0.0.5", ferry.adminHttp().port(), 200);
    // 4 × 32 is more than the 100 that may wait in all: the addresses with the most waiting lose theirs.
    Await.until(() -> ferry.gateway().sessions().unauthenticated() == 100, Duration.ofSeconds(10),
        "the budget of connections waiting for a login to be full");
    usersStillWork("while 800 silent connections knock");
  }

  @Test
  void silentConnections_fromManyAddresses_eachKeepTheirShareOfTheBudget_andUsersStillLogIn() throws Exception {
    Map<String, List<Socket>> byAddress = new TreeMap<>();
    for (int address = 1; address <= 20; address++) {
      byAddress.put("127.0.1." + address, silent("127.0.1." + address, ferry.sftp().port(), 10));
    }
    Await.until(() -> ferry.gateway().sessions().unauthenticated() == 100, Duration.ofSeconds(10),
        "the budget of connections waiting for a login to be full");
    Set<Socket> closed = new HashSet<>();
    Await.until(() -> {
      byAddress.values().stream().flatMap(List::stream).filter(socket -> !closed.contains(socket) && closedNow(socket))
          .forEach(closed::add);
      return closed.size() >= 100;
    }, Duration.ofSeconds(30), "100 of the 200 silent connections to be closed");
    // Each time, the oldest connection of the address with the most waiting was closed: the early
    // addresses lost theirs to the later ones until all held about a twentieth of the budget.
    byAddress.forEach((address, sockets) -> {
      long open = sockets.stream().filter(socket -> !closed.contains(socket)).count();
      assertTrue(open >= 4 && open <= 6, address + " kept " + open + " of its 10 waiting connections, not its share (5)");
    });
    assertEquals(100, closed.size());
    usersStillWork("while 100 silent connections from 20 addresses wait");
  }

  @Test
  void clientsSendingAByteEvery20Seconds_areClosedAtTheLoginDeadline() throws Exception {
    ExecutorService dribblers = Executors.newFixedThreadPool(5);
    try {
      List<Future<Duration>> held = new ArrayList<>();
      // A failed password used to end the login deadline for good: NOOPs then held the connection.
      held.add(dribblers.submit(HostileConnectionsIT::failedLoginThenNoops));
      held.add(dribblers.submit(() -> dribble(ferry.sftp().port(), "SSH-2.0-OpenSSH_9.2\r\n")));
      held.add(dribblers.submit(() -> dribble(ferry.ftps().port(), "USER alice\r\n")));
      held.add(dribblers.submit(() -> dribble(ferry.ftps().implicitPort(), "\u0016\u0003\u0001\u0002\u0000\u0001")));
      held.add(dribblers.submit(() -> dribble(ferry.adminHttp().port(), "GET /api/jobs HTTP/1.1\r\n")));
      for (Future<Duration> connection : held) {
        Duration open = connection.get(90, TimeUnit.SECONDS);
        // sessions.loginDeadline is 60 s; before, FTPS and admin HTTP held such clients for good, and
        // FTPS one whose password had failed.
        assertTrue(open.compareTo(Duration.ofSeconds(55)) > 0 && open.compareTo(Duration.ofSeconds(70)) < 0,
            "closed after " + open);
      }
    } finally {
      dribblers.shutdownNow();
    }
  }

  @Test
  void oneUserOrOneAddress_cannotTakeEverySession() throws Exception {
    List<FTPSClient> sessions = new ArrayList<>();
    try {
      for (int i = 0; i < 32; i++) {
        sessions.add(ftpsLogin("127.0.0.6", "alice"));
        sessions.add(ftpsLogin("127.0.0.6", "bob"));
      }
      FTPSClient carol = ftpsConnect("127.0.0.6");
      sessions.add(carol);
      // commons-net reports a 421 as the closed connection it announces.
      assertThrows(FTPConnectionClosedException.class, () -> carol.login("carol", PASSWORD));
      assertEquals("421 Too many sessions from 127.0.0.6 (64), close one and try again", carol.getReplyString().trim());

      FTPSClient alice = ftpsConnect("127.0.0.1");
      sessions.add(alice);
      assertThrows(FTPConnectionClosedException.class, () -> alice.login("alice", PASSWORD));
      assertEquals("421 Too many sessions of user alice (32), close one and try again", alice.getReplyString().trim());
      IOException sftpRefused = assertThrows(IOException.class,
          () -> sftp("alice", "127.0.0.1").close());
      assertTrue(String.valueOf(sftpRefused.getMessage()).contains("Too many sessions of user alice (32)"),
          sftpRefused.toString());

      sessions.add(ftpsLogin("127.0.0.1", "carol"));
      usersStillWork("while alice has 32 sessions");
    } finally {
      for (FTPSClient client : sessions) {
        client.disconnect();
      }
    }
    Await.until(() -> ferry.gateway().sessions().sessionsOf("alice") == 0, Duration.ofSeconds(10),
        "alice's sessions to be closed");
    ftpsLogin("127.0.0.1", "alice").disconnect();
  }

  @Test
  void passivePortsNobodyUses_areGivenBack() throws Exception {
    List<FTPSClient> sessions = new ArrayList<>();
    try {
      // The default range has 100 ports: four users from four addresses ask for all of them.
      List<String> users = List.of("alice", "bob", "carol", "dave");
      for (int i = 0; i < 100; i++) {
        FTPSClient client = ftpsLogin("127.0.2." + (i % 4 + 1), users.get(i % 4));
        sessions.add(client);
        assertEquals(227, client.pasv(), client.getReplyString());
      }
      FTPSClient late = ftpsLogin("127.0.0.1", "alice");
      sessions.add(late);
      assertEquals(425, late.pasv(), "every passive port is taken: " + late.getReplyString());

      // NOOPs keep the hoarding sessions alive; ftps.passiveTimeout (30 s) gives their ports back.
      Await.until(() -> {
        try {
          sessions.get(0).noop();
          return late.pasv() == 227;
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }, Duration.ofSeconds(45), "a passive port to be free again");
      late.enterLocalPassiveMode();
      assertNotNull(late.listFiles("/"), late.getReplyString());

      // Deadlines fire in the order the ports were offered: the first hoarder's went back first.
      FTPSClient hoarder = sessions.get(0);
      assertTrue(hoarder.sendCommand("NOOP") == 200);
      assertEquals(425, hoarder.sendCommand("LIST"), hoarder.getReplyString());
      assertTrue(hoarder.getReplyString().contains("send PASV or EPSV again"), hoarder.getReplyString());
    } finally {
      for (FTPSClient client : sessions) {
        client.disconnect();
      }
    }
  }

  /** A user from 127.0.0.1 logs in over each protocol and moves a file. */
  private void usersStillWork(String when) throws Exception {
    byte[] data = new byte[300_000];
    new Random(7).nextBytes(data);
    try (ClientSession session = sftp("dave", "127.0.0.1"); SftpClient client = SftpClientFactory.instance()
        .createSftpClient(session)) {
      try (OutputStream out = client.write("sftp.bin")) {
        out.write(data);
      }
      try (InputStream in = client.read("sftp.bin")) {
        assertArrayEquals(data, in.readAllBytes(), "SFTP download " + when);
      }
    }
    for (boolean implicit : List.of(false, true)) {
      FTPSClient ftps = ftpsConnect("127.0.0.1", implicit);
      try {
        assertTrue(ftps.login("carol", PASSWORD), ftps.getReplyString());
        prepare(ftps);
        assertTrue(ftps.storeFile("ftps.bin", new ByteArrayInputStream(data)), "FTPS upload " + when);
        ByteArrayOutputStream back = new ByteArrayOutputStream();
        assertTrue(ftps.retrieveFile("ftps.bin", back), ftps.getReplyString());
        assertArrayEquals(data, back.toByteArray(), "FTPS download " + when);
      } finally {
        ftps.disconnect();
      }
    }
    assertArrayEquals(data, s3.read(bucket, "carol/ftps.bin"));
    HttpResponse<String> jobs = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
        + ferry.adminHttp().port() + "/api/jobs")).header("Authorization", "Bearer " + TOKEN)
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, jobs.statusCode(), jobs.body());
  }

  /** {@code count} connections from {@code address} that send nothing, closed after the test. */
  private List<Socket> silent(String address, int port, int count) throws IOException {
    List<Socket> sockets = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Socket socket = new Socket();
      socket.bind(new InetSocketAddress(address, 0));
      socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      sockets.add(socket);
      hostile.add(socket);
    }
    return sockets;
  }

  private static String readLine(Socket socket) throws IOException {
    socket.setSoTimeout(10_000);
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    InputStream in = socket.getInputStream();
    for (int b = in.read(); b >= 0 && b != '\n'; b = in.read()) {
      line.write(b);
    }
    return line.toString(StandardCharsets.UTF_8).trim();
  }

  /** True when the server closed the connection (end of stream or reset) within {@code timeout}. */
  /** Whether the server has closed the connection, seen within 20 ms. */
  private static boolean closedNow(Socket socket) {
    try {
      return closedWithin(socket, Duration.ofMillis(20));
    } catch (IOException e) {
      return true;
    }
  }

  private static boolean closedWithin(Socket socket, Duration timeout) throws IOException {
    socket.setSoTimeout((int) timeout.toMillis());
    InputStream in = socket.getInputStream();
    byte[] buffer = new byte[4096];
    try {
      while (in.read(buffer) >= 0) {
        // the SSH identification line and a disconnect packet come first
      }
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException reset) {
      return true;
    }
  }

  /**
   * Sends {@code text} one byte every 20 s from 127.0.0.7 until the server closes the connection;
   * returns how long it stayed open (at most 80 s).
   */
  /**
   * Fails its password once from 127.0.0.8, then sends NOOP every 20 s (so that only the login
   * deadline, not FtpServer's idle timer, can close it) until the server closes the connection;
   * returns how long it stayed open (at most 80 s).
   */
  private static Duration failedLoginThenNoops() throws IOException {
    long start = System.nanoTime();
    FTPSClient client = ftpsConnect("127.0.0.8");
    try {
      if (client.login("alice", "not alice's password")) {
        throw new AssertionError("logged in with a wrong password");
      }
      client.setSoTimeout(20_000);
      while (Duration.ofNanos(System.nanoTime() - start).toSeconds() < 80) {
        try {
          client.getReply(); // only the server's 421 and close come unasked
          break;
        } catch (SocketTimeoutException quiet) {
          client.sendNoOp();
        } catch (IOException closed) {
          break;
        }
      }
    } catch (IOException closed) {
      // the NOOP met the closed connection
    } finally {
      try {
        client.disconnect();
      } catch (IOException ignored) {
        // closed either way
      }
    }
    return Duration.ofNanos(System.nanoTime() - start);
  }

  private static Duration dribble(int port, String text) throws IOException {
    long start = System.nanoTime();
    try (Socket socket = new Socket()) {
      socket.bind(new InetSocketAddress("127.0.0.7", 0));
      socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      OutputStream out = socket.getOutputStream();
      int next = 0;
      while (Duration.ofNanos(System.nanoTime() - start).toSeconds() < 80) {
        try {
          out.write(text.charAt(next++ % text.length()));
          out.flush();
        } catch (IOException closed) {
          break;
        }
        if (closedWithin(socket, Duration.ofSeconds(20))) {
          break;
        }
      }
    }
    return Duration.ofNanos(System.nanoTime() - start);
  }

  private static ClientSession sftp(String user, String address) throws IOException {
    return ssh.loginFrom(address, user, ferry.sftp().port(), PASSWORD);
  }

  private static FTPSClient ftpsLogin(String address, String user) throws IOException {
    FTPSClient client = ftpsConnect(address);
    if (!client.login(user, PASSWORD)) {
      throw new IOException("FTPS login of " + user + " from " + address + " failed: " + client.getReplyString());
    }
    prepare(client);
    return client;
  }

  private static FTPSClient ftpsConnect(String address) throws IOException {
    return ftpsConnect(address, false);
  }

  private static FTPSClient ftpsConnect(String address, boolean implicit) throws IOException {
    FTPSClient client = new FTPSClient(implicit);
    client.setTrustManager(TrustAll.MANAGER);
    client.setConnectTimeout(10_000);
    client.setDefaultTimeout(30_000);
    client.connect(java.net.InetAddress.getByName("127.0.0.1"),
        implicit ? ferry.ftps().implicitPort() : ferry.ftps().port(), java.net.InetAddress.getByName(address), 0);
    if (!FTPReply.isPositiveCompletion(client.getReplyCode())) {
      throw new IOException("FTPS connect from " + address + " refused: " + client.getReplyString());
    }
    return client;
  }

  private static void prepare(FTPSClient client) throws IOException {
    client.execPBSZ(0);
    client.execPROT("P");
    client.enterLocalPassiveMode();
    client.setFileType(FTP.BINARY_FILE_TYPE);
  }
}
