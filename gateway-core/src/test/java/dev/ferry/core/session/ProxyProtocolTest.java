package dev.ferry.core.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.ferry.core.config.ConfigException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ProxyProtocolTest {

  private final Deadlines deadlines = new Deadlines();
  private final ProxyProtocol proxy = new ProxyProtocol(
      TrustedProxies.parse(List.of("10.0.0.0/24", "127.0.0.10", "fd00::/64"), "proxyProtocol.trustedFrom"),
      deadlines, Clock.systemUTC());

  @AfterEach
  void stop() {
    deadlines.close();
  }

  private static ByteBuffer bytes(String text) {
    return ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
  }

  private static InetSocketAddress peer(String ip) {
    return new InetSocketAddress(ip, 50000);
  }

  @Test
  void trustedBalancer_withHeader_isTheHeadersClient() {
    ProxyProtocol.Client client = assertInstanceOf(ProxyProtocol.Client.class,
        proxy.examine("FTPS", peer("10.0.0.7"), bytes("PROXY TCP4 192.0.2.7 10.0.0.11 40000 21\r\nAUTH TLS\r\n")));
    assertEquals("192.0.2.7", ClientAddress.of(client.client()));
  }

  @Test
  void trustedBalancer_withoutHeader_isRefused() {
    assertInstanceOf(ProxyProtocol.Refused.class, proxy.examine("SFTP", peer("127.0.0.10"), bytes("SSH-2.0-x\r\n")));
  }

  @Test
  void otherAddress_withHeader_isRefused() {
    assertInstanceOf(ProxyProtocol.Refused.class,
        proxy.examine("FTPS", peer("10.0.1.7"), bytes("PROXY TCP4 192.0.2.7 10.0.0.11 40000 21\r\n")));
  }

  @Test
  void otherAddress_withoutHeader_isItself() {
    ProxyProtocol.Client client = assertInstanceOf(ProxyProtocol.Client.class,
        proxy.examine("FTPS", peer("10.0.1.7"), bytes("AUTH TLS\r\n")));
    assertEquals("10.0.1.7", ClientAddress.of(client.client()));
    assertEquals(0, client.headerLength());
  }

  @Test
  void ipv6Network_trustsItsAddressesOnly() {
    assertEquals(true, proxy.expectsHeaderFrom(peer("fd00::1:2")));
    assertEquals(false, proxy.expectsHeaderFrom(peer("fd00:0:0:1::1")));
  }

  @Test
  void trustedFrom_badEntry_isRefusedNamingItsKey() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> TrustedProxies.parse(List.of("10.0.0.0/24", "balancer.example"), "proxyProtocol.trustedFrom"));
    assertEquals(true, e.getMessage().contains("proxyProtocol.trustedFrom[1]"), e.getMessage());
    assertThrows(ConfigException.class, () -> TrustedProxies.parse(List.of("10.0.0.0/33"), "k"));
  }

  @Test
  void clientAddress_ipv6_isWrittenInRfc5952Form() {
    assertEquals("::1", ClientAddress.of(peer("0:0:0:0:0:0:0:1")));
    assertEquals("2001:db8::1:0:0:1", ClientAddress.of(peer("2001:db8:0:0:1:0:0:1")));
    assertEquals("2001:db8:0:1:1:1:1:1", ClientAddress.of(peer("2001:db8:0:1:1:1:1:1")));
    assertEquals("127.0.0.1", ClientAddress.of(peer("127.0.0.1")));
  }
}
