package dev.ferry.core.user;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.s3.S3Location;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class UserRegistryTest {

  private static final LoginSource FROM = new LoginSource("SFTP", "127.0.0.1");

  /** bcrypt at cost 12 takes a while: hash once for the whole class. */
  private static String aliceHash;
  private static UserRegistry registry;

  @BeforeAll
  static void setUp() {
    aliceHash = PasswordHasher.hash("correct horse".toCharArray());
    registry = new UserRegistry(List.of(
        user("alice", aliceHash),
        user("plain", "correct horse"), // someone pasted the password instead of its hash
        user("sha", "{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g="),
        user("broken", "$2y$12$tooShort"),
        user("keysOnly", null)));
  }

  private static User user(String name, String hash) {
    return new User(name, hash, new S3Location("ferry-data", name + "/"),
        Set.copyOf(EnumSet.of(Permission.LIST, Permission.READ)), List.of(), false);
  }

  @Test
  void hash_isBcryptCost12AndSalted() {
    String again = PasswordHasher.hash("correct horse".toCharArray());

    assertTrue(PasswordHasher.isBcrypt(aliceHash), aliceHash);
    assertTrue(aliceHash.startsWith("$2y$12$"), aliceHash);
    assertNotEquals(aliceHash, again, "each hash has its own salt");
    assertTrue(PasswordHasher.matches(again, "correct horse".toCharArray()));
  }

  @Test
  void authenticate_afterASuccess_stillRefusesWrongPasswords() {
    assertTrue(registry.authenticate("alice", "correct horse".toCharArray(), FROM).isPresent());
    assertTrue(registry.authenticate("alice", "correct horse".toCharArray(), FROM).isPresent());

    assertTrue(registry.authenticate("alice", "correct horsE".toCharArray(), FROM).isEmpty());
    assertTrue(registry.authenticate("alice", new char[0], FROM).isEmpty());
  }

  @Test
  void matches_wrongPassword_false() {
    assertFalse(PasswordHasher.matches(aliceHash, "correct horsE".toCharArray()));
    assertFalse(PasswordHasher.matches(aliceHash, new char[0]));
  }

  @Test
  void matches_notBcrypt_false() {
    assertFalse(PasswordHasher.matches("correct horse", "correct horse".toCharArray()));
    assertFalse(PasswordHasher.matches(null, "x".toCharArray()));
    assertFalse(PasswordHasher.matches("$2y$12$tooShort", "x".toCharArray()));
    assertFalse(PasswordHasher.matches("$2y$99$" + "a".repeat(53), "x".toCharArray()));
    assertFalse(PasswordHasher.matches("$2y$12$" + "!".repeat(53), "x".toCharArray()));
    assertFalse(PasswordHasher.matches("$2", "x".toCharArray()));
  }

  @Test
  void isBcrypt_rejectsOtherFormats() {
    assertFalse(PasswordHasher.isBcrypt("correct horse"));
    assertFalse(PasswordHasher.isBcrypt("{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g="));
    assertFalse(PasswordHasher.isBcrypt(aliceHash + "x"));
    assertFalse(PasswordHasher.isBcrypt(null));
  }

  @Test
  void authenticate_rightPassword_returnsUser() {
    Optional<User> user = registry.authenticate("alice", "correct horse".toCharArray(), FROM);

    assertTrue(user.isPresent());
    assertEquals("alice", user.get().name());
  }

  @Test
  void authenticate_wrongPassword_empty() {
    assertTrue(registry.authenticate("alice", "wrong".toCharArray(), FROM).isEmpty());
    assertTrue(registry.authenticate("alice", new char[0], FROM).isEmpty());
  }

  @Test
  void authenticate_nameCaseDiffers_empty() {
    assertTrue(registry.authenticate("Alice", "correct horse".toCharArray(), FROM).isEmpty());
  }

  @Test
  void authenticate_unknownUser_empty() {
    assertTrue(registry.authenticate("mallory", "correct horse".toCharArray(), FROM).isEmpty());
  }

  @Test
  void authenticate_storedHashNotBcrypt_empty() {
    assertTrue(registry.authenticate("plain", "correct horse".toCharArray(), FROM).isEmpty(),
        "a plaintext 'hash' must not let its own text in");
    assertTrue(registry.authenticate("sha", "password".toCharArray(), FROM).isEmpty());
    assertTrue(registry.authenticate("broken", "x".toCharArray(), FROM).isEmpty());
  }

  @Test
  void authenticate_userWithoutPassword_empty() {
    assertTrue(registry.authenticate("keysOnly", new char[0], FROM).isEmpty());
    assertTrue(registry.authenticate("keysOnly", "null".toCharArray(), FROM).isEmpty());
  }

  @Test
  void find_knownAndUnknown() {
    assertEquals("alice", registry.find("alice").orElseThrow().name());
    assertTrue(registry.find("mallory").isEmpty());
    assertEquals(5, registry.all().size());
  }

  @Test
  void authenticator_answersOnlyForNamesNotConfigured_andItsUserIsFoundAfterwards() {
    List<String> asked = new java.util.ArrayList<>();
    UserRegistry withApplication = new UserRegistry(List.of(user("alice", aliceHash)), java.time.Clock.systemUTC(),
        (name, password) -> {
          asked.add(name);
          return name.equals("carol") && new String(password).equals("s3cret") ? Optional.of(user("carol", null))
              : Optional.empty();
        });
    assertTrue(withApplication.authenticate("alice", "correct horse".toCharArray(), FROM).isPresent());
    assertTrue(withApplication.authenticate("alice", "s3cret".toCharArray(), FROM).isEmpty(), "alice's own hash decides");
    assertTrue(withApplication.find("carol").isEmpty(), "not known before a login");
    assertEquals("carol", withApplication.authenticate("carol", "s3cret".toCharArray(), FROM).orElseThrow().name());
    assertTrue(withApplication.authenticate("carol", "wrong".toCharArray(), FROM).isEmpty());
    assertEquals("carol/", withApplication.find("carol").orElseThrow().home().key());
    assertEquals(List.of("carol", "carol"), asked, "never asked about alice");
    assertTrue(new UserRegistry(List.of(), java.time.Clock.systemUTC(), (n, p) -> Optional.empty()).all().isEmpty(),
        "an authenticator alone is enough");
  }

  @Test
  void authenticator_answerForAnotherName_isRefusedLoudly() {
    UserRegistry lying = new UserRegistry(List.of(), java.time.Clock.systemUTC(),
        (name, password) -> Optional.of(user("root", null)));
    IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
        () -> lying.authenticate("carol", "x".toCharArray(), FROM));
    assertTrue(e.getMessage().contains("'carol'"), e.getMessage());
    assertTrue(lying.find("root").isEmpty() && lying.find("carol").isEmpty());
  }
}
