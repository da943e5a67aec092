package dev.ferry.core.user;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Hashes made by other tools check here: argon2id strings from the reference argon2 command (Debian's
 * argon2 package), with a few parameter sets; a wrong password, a tampered hash and parameters past
 * the bounds are refused; bcrypt as before.
 */
class PasswordHasherTest {

  @Test
  void argon2idFromTheReferenceTool_checks_wrongPasswordAndTamperingRefused() throws Exception {
    for (List<String> parameters : List.of(List.of("-t", "2", "-m", "12", "-p", "1"),
        List.of("-t", "3", "-m", "16", "-p", "4"), List.of("-t", "1", "-m", "10", "-p", "2"))) {
      String hash = argon2("correct horse battery", "pepper-salt-1", parameters);
      assertTrue(hash.startsWith("$argon2id$v=19$"), hash);
      assertTrue(PasswordHasher.isSupported(hash), hash);
      assertTrue(PasswordHasher.matches(hash, "correct horse battery".toCharArray()), hash);
      assertFalse(PasswordHasher.matches(hash, "correct horse batterY".toCharArray()), hash);
      String tampered = hash.substring(0, hash.length() - 2) + (hash.endsWith("A") ? "B" : "A") + hash.charAt(hash.length() - 1);
      assertFalse(PasswordHasher.matches(tampered, "correct horse battery".toCharArray()), tampered);
    }
  }

  @Test
  void argon2Strings_outsideTheBoundsOrNotArgon2id_refused() {
    assertFalse(PasswordHasher.isSupported("$argon2id$v=19$m=4194304,t=2,p=1$c29tZXNhbHQxMjM$Wt8JJJjoi509+mIDInjAzctTNqdf+MFFq6E0FyTaYVw"),
        "4 GiB of memory per login");
    assertFalse(PasswordHasher.isSupported("$argon2i$v=19$m=4096,t=2,p=1$c29tZXNhbHQxMjM$Wt8JJJjoi509+mIDInjAzctTNqdf+MFFq6E0FyTaYVw"),
        "argon2i is not argon2id");
    assertFalse(PasswordHasher.matches("$argon2id$v=19$m=4096,t=2,p=1$!!$??", "x".toCharArray()));
    String bcrypt = PasswordHasher.hash("s3cret-enough".toCharArray());
    assertTrue(PasswordHasher.isSupported(bcrypt) && PasswordHasher.matches(bcrypt, "s3cret-enough".toCharArray()));
  }

  private static String argon2(String password, String salt, List<String> parameters) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of("argon2", salt, "-id", "-e"));
    command.addAll(parameters);
    Process process = new ProcessBuilder(command).start();
    process.getOutputStream().write(password.getBytes(StandardCharsets.UTF_8));
    process.getOutputStream().close();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertEquals(0, process.waitFor(), command + ": " + output);
    return output;
  }
}
