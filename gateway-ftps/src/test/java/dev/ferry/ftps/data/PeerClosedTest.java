package dev.ferry.ftps.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.ferry.core.testing.Await;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The kernel's word on a real loopback connection: open, then closed by the client with bytes still unread. */
class PeerClosedTest {

  @ParameterizedTest
  @ValueSource(strings = {"127.0.0.1", "::1"})
  void of_clientClosesWithBytesUnread_trueOnlyAfterItsFin(String host) throws IOException {
    InetAddress address = InetAddress.getByName(host);
    try (ServerSocket listening = new ServerSocket(0, 1, address);
        Socket client = new Socket(address, listening.getLocalPort());
        Socket accepted = listening.accept()) {
      client.getOutputStream().write(new byte[100_000]);
      assertFalse(PeerClosed.of(accepted), "the client has not closed");
      client.shutdownOutput();
      Await.until(() -> PeerClosed.of(accepted), "the client's FIN, behind 100,000 unread bytes, to show");
    }
  }

  /** As /proc/net/tcp and tcp6 write 127.0.0.1 on a little-endian machine (x86, arm64). */
  @Test
  void encodings_ipv4_asInTcpAndMappedInTcp6() throws IOException {
    assertEquals(ByteOrder.LITTLE_ENDIAN, ByteOrder.nativeOrder());
    assertEquals(List.of("0100007F", "0000000000000000FFFF00000100007F"),
        PeerClosed.encodings(InetAddress.getByName("127.0.0.1")));
  }
}
