package dev.ferry.core.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** The address every limit, ban and log line keys a client by: the IP alone, IPv6 in RFC 5952 form. */
class ClientAddressTest {

  @Test
  void of_ipv4AndIpv6_ipAloneInTheirUsualForm() {
    assertEquals("127.0.0.1", ClientAddress.of(new InetSocketAddress("127.0.0.1", 2121)));
    assertEquals("::1", ClientAddress.of(new InetSocketAddress("::1", 2121)));
    assertEquals("2001:db8::7", ClientAddress.of(new InetSocketAddress("2001:db8:0:0:0:0:0:7", 22)));
    assertEquals("unknown", ClientAddress.of(null));
  }
}
