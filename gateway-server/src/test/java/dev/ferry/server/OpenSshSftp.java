package dev.ferry.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** OpenSSH's own sftp client, logging in with a key of its own, as a user of Ferry would run it. */
final class OpenSshSftp {

  final Path key;
  final String publicKey;

  private OpenSshSftp(Path key, String publicKey) {
    this.key = key;
    this.publicKey = publicKey;
  }

  /** A new ed25519 key in {@code dir}; {@link #publicKey} is its authorized_keys line. */
  static OpenSshSftp withNewKey(Path dir) throws Exception {
    Path key = dir.resolve("id_ed25519");
    run(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key.toString()));
    return new OpenSshSftp(key, Files.readString(dir.resolve("id_ed25519.pub")).trim());
  }

  /** Runs the sftp batch {@code commands} as {@code user} on 127.0.0.1:{@code port}; fails unless all succeed. */
  void batch(int port, String user, String... commands) throws Exception {
    Path batch = Files.createTempFile(key.getParent(), "batch", ".txt");
    Files.writeString(batch, String.join("\n", commands) + "\n");
    run(List.of("sftp", "-q", "-b", batch.toString(), "-P", Integer.toString(port), "-i", key.toString(),
        "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes",
        user + "@127.0.0.1"));
  }

  /** Runs {@code command} (the real tools tests prepare files with), failing unless it exits 0. */
  static void run(List<String> command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    process.getOutputStream().close();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), command + " did not end");
    assertEquals(0, process.exitValue(), command + ": " + output);
  }
}
