package dev.ferry.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * GnuPG (Debian's gpg) with a keyring of its own in {@code home}, run in batch mode as a partner
 * exchanging encrypted files with Ferry would run it: keys made with {@code --quick-gen-key}
 * (ed25519 to sign, cv25519 to encrypt), exported armored.
 */
public final class Gpg {

  private final Path home;

  public Gpg(Path home) throws IOException {
    Files.createDirectories(home, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    this.home = home;
  }

  /** A new key for {@code email}, protected by {@code passphrase} ("" for none). */
  public void newKey(String email, String passphrase) throws Exception {
    run(passphrase, "--quick-gen-key", email.substring(0, email.indexOf('@')) + " <" + email + ">", "future-default",
        "default", "never");
  }

  public Path exportPublic(String email, Path file) throws Exception {
    run("", "--armor", "--output", file.toString(), "--export", email);
    return file;
  }

  public Path exportSecret(String email, String passphrase, Path file) throws Exception {
    run(passphrase, "--armor", "--output", file.toString(), "--export-secret-keys", email);
    return file;
  }

  /** Runs gpg with {@code args}, failing unless it exits 0; returns what it printed. */
  public String run(String passphrase, String... args) throws Exception {
    Result result = attempt(passphrase, args);
    assertEquals(0, result.exit(), String.join(" ", args) + ": " + result.output());
    return result.output();
  }

  public record Result(int exit, String output) {}

  public Result attempt(String passphrase, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("gpg", "--homedir", home.toString(), "--batch", "--yes",
        "--pinentry-mode", "loopback", "--passphrase", passphrase, "--trust-model", "always"));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    process.getOutputStream().close();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(120, TimeUnit.SECONDS), "gpg " + args[0] + " did not end");
    return new Result(process.exitValue(), output);
  }

  /** Stops this keyring's gpg-agent. */
  public void stopAgent() throws IOException, InterruptedException {
    new ProcessBuilder("gpgconf", "--homedir", home.toString(), "--kill", "gpg-agent").start().waitFor(30,
        TimeUnit.SECONDS);
  }
}
