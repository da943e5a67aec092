package dev.ferry.core.testing;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real ClamAV {@code clamd} for tests, Debian's, run as a plain process in a temp dir with a
 * signature database made here (freshclam cannot reach its mirror from the test machines): body
 * signatures for the EICAR test file and for a marker of Ferry's own, so a test can make an
 * "infected" file of any size. It listens on a unix socket and a free loopback TCP port, with a
 * stream limit of {@link #STREAM_MAX_BYTES}; stopped and removed after the test class.
 *
 * <pre>{@code @RegisterExtension static final ClamdTestServer clamd = new ClamdTestServer();}</pre>
 */
public final class ClamdTestServer implements BeforeAllCallback, AfterAllCallback {

  private static final Path CLAMD = Path.of("/usr/sbin/clamd");
  /** The EICAR test file: every antivirus knows it, and it harms nothing. */
  public static final String EICAR = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";
  /** clamd's name for a file with {@link #EICAR} in it (".UNOFFICIAL": a database clamd did not get from ClamAV). */
  public static final String EICAR_SIGNATURE = "Ferry.Test.EICAR.UNOFFICIAL";
  /** Bytes clamd reports as {@link #MARKER_SIGNATURE} wherever they are in a file. */
  public static final String MARKER = "FERRY-SCAN-TEST-MARKER-35";
  public static final String MARKER_SIGNATURE = "Ferry.Test.Marker.UNOFFICIAL";
  public static final long STREAM_MAX_BYTES = 64L << 20;

  private Path root;
  private Process clamd;
  private int port;

  @Override
  public synchronized void beforeAll(ExtensionContext context) throws Exception {
    root = Files.createTempDirectory("ferry-clamd");
    Files.createDirectories(root.resolve("db"));
    Files.createDirectories(root.resolve("tmp"));
    Files.writeString(root.resolve("db/ferry-test.ndb"),
        "Ferry.Test.EICAR:0:*:" + hex("EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*") + "\n"
            + "Ferry.Test.Marker:0:*:" + hex(MARKER) + "\n");
    port = FreePorts.freePort();
    Files.writeString(root.resolve("clamd.conf"), """
        Foreground yes
        LocalSocket %1$s/clamd.sock
        TCPSocket %2$d
        TCPAddr 127.0.0.1
        DatabaseDirectory %1$s/db
        TemporaryDirectory %1$s/tmp
        StreamMaxLength %3$dM
        PidFile %1$s/clamd.pid
        """.formatted(root, port, STREAM_MAX_BYTES >> 20));
    clamd = new ProcessBuilder(CLAMD.toString(), "-c", root.resolve("clamd.conf").toString())
        .redirectErrorStream(true).redirectOutput(root.resolve("clamd.log").toFile()).start();
    Await.until(() -> {
      if (!clamd.isAlive()) {
        throw new AssertionError("clamd exited: " + log());
      }
      return pong();
    }, Duration.ofSeconds(60), "clamd to answer PING on " + socket());
  }

  private boolean pong() {
    try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      channel.connect(UnixDomainSocketAddress.of(socket()));
      channel.write(ByteBuffer.wrap("zPING\0".getBytes(StandardCharsets.US_ASCII)));
      ByteBuffer reply = ByteBuffer.allocate(16);
      channel.read(reply);
      return new String(reply.array(), 0, reply.position(), StandardCharsets.US_ASCII).startsWith("PONG");
    } catch (IOException notYet) {
      return false;
    }
  }

  @Override
  public synchronized void afterAll(ExtensionContext context) throws Exception {
    if (clamd != null) {
      clamd.destroy();
      if (!clamd.waitFor(10, TimeUnit.SECONDS)) {
        clamd.destroyForcibly();
      }
    }
    if (root != null) {
      try (Stream<Path> files = Files.walk(root)) {
        for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(file);
        }
      }
    }
  }

  /** Stops clamd (to test what happens when it is down); {@link #beforeAll} is not run again. */
  public synchronized void stop() throws InterruptedException {
    clamd.destroy();
    clamd.waitFor(10, TimeUnit.SECONDS);
  }

  public Path socket() {
    return root.resolve("clamd.sock");
  }

  /** {@code scan.clamd} for the unix socket. */
  public String unixAddress() {
    return "unix:" + socket();
  }

  /** {@code scan.clamd} for the TCP port. */
  public String tcpAddress() {
    return "tcp://127.0.0.1:" + port;
  }

  private String log() {
    try {
      return Files.readString(root.resolve("clamd.log"));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  private static String hex(String text) {
    return HexFormat.of().formatHex(text.getBytes(StandardCharsets.US_ASCII));
  }
}
