package dev.ferry.core.user;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A key's fingerprint is the one OpenSSH's ssh-keygen prints (the API names keys by it, and an
 * operator copies it from ssh-keygen -l); RSA keys under 2048 bits are weak, larger ones and other
 * types are not. Keys made by the real ssh-keygen.
 */
class AuthorizedKeyLineTest {

  @TempDir
  Path dir;

  @Test
  void fingerprintAndComment_asSshKeygenPrintsThem() throws Exception {
    for (String type : List.of("ed25519", "ecdsa", "rsa")) {
      String line = keygen(type, type.equals("rsa") ? 3072 : 0, "partner key " + type);
      String printed = run("ssh-keygen", "-l", "-E", "sha256", "-f", dir.resolve(type + ".pub").toString());
      assertEquals(printed.split(" ")[1], AuthorizedKeyLine.fingerprint(line), printed);
      assertEquals("partner key " + type, AuthorizedKeyLine.comment(line));
      assertNull(AuthorizedKeyLine.problem(line), type);
      assertNull(AuthorizedKeyLine.weakness(line), type);
    }
  }

  @Test
  void rsaUnder2048Bits_isWeak() throws Exception {
    String weak = keygen("rsa", 1024, "old");
    assertEquals("is an RSA key of 1024 bits; at least 2048 are required", AuthorizedKeyLine.weakness(weak));
    assertNull(AuthorizedKeyLine.weakness(keygen("rsa", 2048, "fine")));
  }

  @Test
  void malformedRsaMaterial_isNamedNotThrown() {
    // "ssh-rsa" as the type, then a length that runs past the end
    String line = "ssh-rsa " + java.util.Base64.getEncoder().encodeToString(
        new byte[] {0, 0, 0, 7, 's', 's', 'h', '-', 'r', 's', 'a', 0, 0, 0, 99, 1});
    assertTrue(AuthorizedKeyLine.weakness(line).startsWith("is not a well-formed RSA key"), AuthorizedKeyLine.weakness(line));
  }

  private String keygen(String type, int bits, String comment) throws Exception {
    Path key = dir.resolve(type + (bits > 0 ? bits : ""));
    Files.deleteIfExists(key);
    Files.deleteIfExists(Path.of(key + ".pub"));
    if (bits > 0) {
      run("ssh-keygen", "-q", "-t", type, "-b", Integer.toString(bits), "-N", "", "-C", comment, "-f", key.toString());
    } else {
      run("ssh-keygen", "-q", "-t", type, "-N", "", "-C", comment, "-f", key.toString());
    }
    Files.copy(Path.of(key + ".pub"), dir.resolve(type + ".pub"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    return Files.readString(Path.of(key + ".pub")).trim();
  }

  private static String run(String... command) throws Exception {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, process.waitFor(), String.join(" ", command) + ": " + output);
    return output.trim();
  }
}
