package dev.ferry.core.user;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.config.InvalidFieldException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LoginLimitsTest {

  private static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");

  @Test
  void none_admitsAnyAddressAtAnyTime() {
    assertEquals(Optional.empty(), LoginLimits.NONE.refusal("198.51.100.9", NOW));
    assertEquals(Optional.empty(), LoginLimits.NONE.refusal("2001:db8::1", Instant.MAX));
  }

  @Test
  void allowFrom_admitsAddressesInsideItsNetworks_refusesOthersNamingTheAddress() {
    LoginLimits limits = LoginLimits.parse(List.of("203.0.113.0/24", "2001:db8::/32", "127.0.0.2"), null,
        "allowFrom", "expires");

    assertEquals(Optional.empty(), limits.refusal("203.0.113.200", NOW));
    assertEquals(Optional.empty(), limits.refusal("2001:db8:1::5", NOW));
    assertEquals(Optional.empty(), limits.refusal("127.0.0.2", NOW));
    assertEquals(Optional.empty(), limits.refusal("fe80::1%eth0".replace("fe80::1", "2001:db8::9"), NOW),
        "an address with a zone is matched without it");
    assertEquals(Optional.of("address 203.0.114.1 is not in the user's allowFrom"), limits.refusal("203.0.114.1", NOW));
    assertTrue(limits.refusal("127.0.0.1", NOW).isPresent());
    assertTrue(limits.refusal("2001:db9::1", NOW).isPresent());
    assertTrue(limits.refusal("not-an-address", NOW).isPresent(), "what is not a literal is never inside");
  }

  @Test
  void expires_refusesFromThatInstantOn() {
    LoginLimits limits = LoginLimits.parse(List.of(), "2026-11-26T12:00:00Z", "allowFrom", "expires");

    assertEquals(Optional.empty(), limits.refusal("198.51.100.9", NOW.minusMillis(1)));
    assertEquals(Optional.of("the user expired at 2026-11-26T12:00:00Z"), limits.refusal("198.51.100.9", NOW));
  }

  @Test
  void badNetwork_refusedNamingItsKeyAndIndex() {
    InvalidFieldException host = assertThrows(InvalidFieldException.class,
        () -> LoginLimits.parse(List.of("10.0.0.0/8", "partner.example"), null, "users[1].allowFrom", "e"));
    assertEquals("users[1].allowFrom[1]", host.field());
    assertEquals("must be an IP address or a network such as 10.0.0.0/24, got 'partner.example'", host.problem());

    InvalidFieldException prefix = assertThrows(InvalidFieldException.class,
        () -> LoginLimits.parse(List.of("10.0.0.0/33"), null, "allowFrom", "expires"));
    assertEquals("allowFrom[0]: prefix length must be 0 to 32, got '10.0.0.0/33'", prefix.getMessage());
    assertThrows(InvalidFieldException.class,
        () -> LoginLimits.parse(List.of("10.1"), null, "allowFrom", "expires"), "a shortened IPv4 form is refused");
  }

  @Test
  void badExpiry_refusedNamingItsKey() {
    InvalidFieldException expiry = assertThrows(InvalidFieldException.class,
        () -> LoginLimits.parse(List.of(), "30/06/2027", "allowFrom", "users[0].expires"));
    assertEquals("users[0].expires", expiry.field());
    assertEquals("must be an ISO-8601 instant such as 2027-06-30T00:00:00Z, got '30/06/2027'", expiry.problem());
  }
}
