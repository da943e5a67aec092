package dev.ferry.core.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/** Loopback ports for servers started by tests, so parallel builds never collide on a fixed one. */
public final class FreePorts {

  private static final int PICK_LOW = 20000;
  /** Ports handed out by this JVM: two servers of one test never get the same one. */
  private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

  private FreePorts() {
  }

  /**
   * A port that was free on 127.0.0.1 a moment ago, for a server another process starts (S3Proxy,
   * PostgreSQL, sshd). It is picked below Linux's ephemeral range: a port the kernel gives for
   * port 0 lies inside it, where any outgoing connection may take it before the server binds it,
   * as CI once saw ("Address already in use"). The socket is closed before returning, so another
   * process could still take it first; outside the ephemeral range that is rare.
   */
  public static int freePort() {
    int high = ephemeralLow() - 100;
    if (high - PICK_LOW >= 1000) {
      for (int attempt = 0; attempt < 100; attempt++) {
        int port = ThreadLocalRandom.current().nextInt(PICK_LOW, high);
        if (!HANDED_OUT.contains(port) && bindable(port) && HANDED_OUT.add(port)) {
          return port;
        }
      }
    }
    // An odd ephemeral range, or a crowded machine: the kernel's pick, with the race described above.
    int port = kernelPort();
    HANDED_OUT.add(port);
    System.err.println("FreePorts: no free port in [" + PICK_LOW + ", " + high + "), using the kernel's " + port);
    return port;
  }

  private static boolean bindable(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static int kernelPort() {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port on 127.0.0.1", e);
    }
  }

  /**
   * The first port of Linux's ephemeral range; 32768, its default, where it cannot be read. Read as
   * lines: {@code Files.readString} sizes its first read from the file's size, which procfs gives as
   * 0, so it read one byte ("3") and then nothing, and every port fell back to the kernel's pick.
   */
  static int ephemeralLow() {
    try {
      String range = Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0).trim();
      return Integer.parseInt(range.split("\\s+")[0]);
    } catch (IOException | RuntimeException e) {
      return 32768;
    }
  }
}
