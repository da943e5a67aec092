package dev.ferry.core.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** RFC 5952's examples and edge cases: the text written for an address that Java spells out in full. */
class IpAddressTextTest {

  @ParameterizedTest
  @CsvSource({
      "0:0:0:0:0:0:0:1, ::1",
      "0:0:0:0:0:0:0:0, ::",
      "2001:0db8:0:0:0:0:2:1, 2001:db8::2:1",
      "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1",
      "2001:0:0:1:0:0:0:1, 2001:0:0:1::1",
      "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
      "FE80:0:0:0:0:0:0:ABCD, fe80::abcd",
      "1:0:0:0:0:0:0:0, 1::",
      "127.0.0.1, 127.0.0.1",
      "::ffff:10.1.2.3, 10.1.2.3"
  })
  void of_address_rfc5952Text(String address, String expected) throws UnknownHostException {
    assertEquals(expected, IpAddressText.of(InetAddress.getByName(address)));
  }
}
