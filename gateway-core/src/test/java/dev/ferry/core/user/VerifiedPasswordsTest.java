package dev.ferry.core.user;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.s3.S3Location;
import dev.ferry.core.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class VerifiedPasswordsTest {

  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final VerifiedPasswords verified = new VerifiedPasswords(clock, Duration.ofMinutes(5));

  private static User alice(String hash) {
    return new User("alice", hash, new S3Location("b", "alice/"), Set.of(Permission.READ), List.of(), false);
  }

  @Test
  void known_beforeAnySuccess_false() {
    assertFalse(verified.known(alice("$2y$12$hash"), "secret".toCharArray()));
  }

  @Test
  void known_afterRemember_onlyForThatPassword() {
    User alice = alice("$2y$12$hash");
    verified.remember(alice, "secret".toCharArray());

    assertTrue(verified.known(alice, "secret".toCharArray()));
    assertFalse(verified.known(alice, "Secret".toCharArray()));
    assertFalse(verified.known(alice, "secret ".toCharArray()));
    assertFalse(verified.known(alice, new char[0]));
  }

  @Test
  void known_afterLifetime_falseUntilRememberedAgain() {
    User alice = alice("$2y$12$hash");
    verified.remember(alice, "secret".toCharArray());

    clock.advance(Duration.ofMinutes(5));
    assertFalse(verified.known(alice, "secret".toCharArray()));

    verified.remember(alice, "secret".toCharArray());
    assertTrue(verified.known(alice, "secret".toCharArray()));
  }

  @Test
  void known_afterTheConfiguredHashChanged_false() {
    verified.remember(alice("$2y$12$old"), "secret".toCharArray());

    assertFalse(verified.known(alice("$2y$12$new"), "secret".toCharArray()));
  }

  @Test
  void known_otherUserWithSamePassword_false() {
    verified.remember(alice("$2y$12$hash"), "secret".toCharArray());
    User bob = new User("bob", "$2y$12$hash", new S3Location("b", "bob/"), Set.of(), List.of(), false);

    assertFalse(verified.known(bob, "secret".toCharArray()));
  }
}
