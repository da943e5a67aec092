package dev.ferry.core.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Loopback ports for servers started by tests, so parallel builds never collide on a fixed one. */
public final class FreePorts {

  private FreePorts() {
  }

  /**
   * A port that was free on 127.0.0.1 a moment ago. The socket is closed before returning, so
   * another process could take it first; on a test machine that race is rare enough to accept.
   */
  public static int freePort() {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port on 127.0.0.1", e);
    }
  }
}
