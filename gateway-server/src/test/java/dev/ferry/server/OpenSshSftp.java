package dev.ferry.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** OpenSSH's own sftp client, logging in with a key of its own, as a user of Ferry would run it. */
public final class OpenSshSftp {

  final Path key;
  public final String publicKey;
  /** The local address ssh binds to (its BindAddress), or null for the system's choice. */
  private final String bindAddress;

  private OpenSshSftp(Path key, String publicKey, String bindAddress) {
    this.key = key;
    this.publicKey = publicKey;
    this.bindAddress = bindAddress;
  }

  /** The same client and key connecting from {@code address} (another 127.0.0.x), as a client elsewhere would. */
  public OpenSshSftp from(String address) {
    return new OpenSshSftp(key, publicKey, address);
  }

  /** A new ed25519 key in {@code dir}; {@link #publicKey} is its authorized_keys line. */
  public static OpenSshSftp withNewKey(Path dir) throws Exception {
    Path key = dir.resolve("id_ed25519");
    run(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key.toString()));
    return new OpenSshSftp(key, Files.readString(dir.resolve("id_ed25519.pub")).trim(), null);
  }

  /** Runs the sftp batch {@code commands} as {@code user} on 127.0.0.1:{@code port}; fails unless all succeed. */
  public void batch(int port, String user, String... commands) throws Exception {
    run(sftp(port, user, commands));
  }

  /** Runs the sftp batch {@code commands} as {@code user}; fails unless all succeed; returns what sftp printed. */
  public String output(int port, String user, String... commands) throws Exception {
    List<String> command = sftp(port, user, commands);
    Output output = output(command);
    assertEquals(0, output.exit(), command + ": " + output.text());
    return output.text();
  }

  /** Runs the sftp batch {@code commands} as {@code user}, whose login must be refused; returns what sftp printed. */
  public String refusedBatch(int port, String user, String... commands) throws Exception {
    List<String> command = sftp(port, user, commands);
    Output output = output(command);
    assertNotEquals(0, output.exit(), command + " succeeded: " + output.text());
    return output.text();
  }

  /** What {@code ssh user@host command} gave: its exit status, standard output and standard error apart. */
  public record Exec(int exit, String out, String err) {}

  /** Runs {@code command} over OpenSSH's {@code ssh} as {@code user}, as a script checking a server would. */
  public Exec ssh(int port, String user, String command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder("ssh", "-p", Integer.toString(port), "-i", key.toString(),
        "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes",
        "-o", "LogLevel=ERROR", "-o", "BindAddress=" + (bindAddress == null ? "127.0.0.1" : bindAddress),
        user + "@127.0.0.1", command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
    CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> {
      try {
        return process.getErrorStream().readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), "ssh " + command + " did not end");
    return new Exec(process.exitValue(), out, new String(err.join(), StandardCharsets.UTF_8));
  }

  private List<String> sftp(int port, String user, String... commands) throws IOException {
    Path batch = Files.createTempFile(key.getParent(), "batch", ".txt");
    Files.writeString(batch, String.join("\n", commands) + "\n");
    return List.of("sftp", "-q", "-b", batch.toString(), "-P", Integer.toString(port), "-i", key.toString(),
        "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes",
        "-o", "BindAddress=" + (bindAddress == null ? "127.0.0.1" : bindAddress), user + "@127.0.0.1");
  }

  /** Runs {@code command} (the real tools tests prepare files with), failing unless it exits 0. */
  static int run(List<String> command) throws IOException, InterruptedException {
    Output output = output(command);
    assertEquals(0, output.exit(), command + ": " + output.text());
    return output.exit();
  }

  private record Output(int exit, String text) {}

  private static Output output(List<String> command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    process.getOutputStream().close();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), command + " did not end");
    return new Output(process.exitValue(), output);
  }
}
