package dev.ferry.core.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real OpenSSH {@code sshd} on a loopback port with its own config, host key and authorized_keys
 * in a temp dir, running in the foreground as a child process ({@code -D -e}). It logs in the user
 * running the tests with a fresh Ed25519 key, which is what Ferry's remote config points at.
 */
public final class OpenSshServer implements AutoCloseable {

  static final Path SSHD = Path.of("/usr/sbin/sshd");

  public final Path dir;
  public final int port;
  public final Path clientKey;
  public final String hostKeyLine;
  public final String hostKeyFingerprint;
  public final String user = System.getProperty("user.name");
  private final Process process;

  public OpenSshServer(Path dir) throws IOException, InterruptedException {
    this.dir = Files.createDirectories(dir);
    Path hostKey = dir.resolve("ssh_host_ed25519_key");
    clientKey = dir.resolve("client_ed25519");
    run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", hostKey.toString());
    run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", clientKey.toString());
    Files.copy(dir.resolve("client_ed25519.pub"), dir.resolve("authorized_keys"));
    port = FreePorts.freePort();
    String publicHostKey = Files.readString(dir.resolve("ssh_host_ed25519_key.pub")).trim();
    hostKeyLine = "[127.0.0.1]:" + port + " " + publicHostKey.split("\\s+")[0] + " " + publicHostKey.split("\\s+")[1];
    hostKeyFingerprint = run("ssh-keygen", "-l", "-E", "sha256", "-f", hostKey + ".pub").split("\\s+")[1];
    Files.writeString(dir.resolve("sshd_config"), String.join("\n",
        "Port " + port,
        "ListenAddress 127.0.0.1",
        "HostKey " + hostKey,
        "AuthorizedKeysFile " + dir.resolve("authorized_keys"),
        "PermitRootLogin prohibit-password",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "UsePAM no",
        "StrictModes no",
        "MaxSessions 20",
        "PidFile " + dir.resolve("sshd.pid"),
        "Subsystem sftp internal-sftp",
        // VERBOSE logs each session's start ("subsystem 'sftp'", counted by sftpStarts) beside the logins.
        "LogLevel VERBOSE",
        // SHLVL=1: Debian's bash sources ~/.bashrc for commands run by sshd only at shell level 1; the
        // test user's .bashrc (pyenv init here) is not part of the remote under test, and slows or blocks it.
        "SetEnv PATH=" + writeCurlWrapper() + ":/usr/local/bin:/usr/bin:/bin SHLVL=1",
        "") );
    // Privilege separation needs this directory on Debian; a fresh machine may not have it yet.
    Files.createDirectories(Path.of("/run/sshd"));
    process = new ProcessBuilder(SSHD.toString(), "-D", "-e", "-f", dir.resolve("sshd_config").toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("sshd.log").toFile()).start();
    awaitPort();
  }

  /**
   * A {@code curl} first on the remote's PATH that runs the real one, after a pause while a test has
   * asked for one with {@link #delayCurl}, so that a direct transfer can be caught mid-way. (curl's
   * own --limit-rate lets a few MiB over loopback through at full speed.)
   */
  private Path writeCurlWrapper() throws IOException {
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path curl = bin.resolve("curl");
    Files.writeString(curl, String.join("\n",
        "#!/bin/sh",
        "delay=$(cat '" + dir.resolve("curl-delay") + "' 2>/dev/null)",
        "if [ -n \"$delay\" ]; then sleep \"$delay\"; fi",
        "exec /usr/bin/curl \"$@\"",
        ""));
    curl.toFile().setExecutable(true);
    return bin;
  }

  /** Each remote curl from now on starts after {@code delay}; null starts them at once again. */
  public void delayCurl(Duration delay) throws IOException {
    if (delay == null) {
      Files.deleteIfExists(dir.resolve("curl-delay"));
    } else {
      Files.writeString(dir.resolve("curl-delay"), String.format(java.util.Locale.ROOT, "%.3f",
          delay.toMillis() / 1000.0));
    }
  }

  /**
   * The command lines of every process on this machine that mention {@code text}. Not only this
   * sshd's descendants: a command whose connection dropped is re-parented to init and runs on.
   */
  public static List<String> commandsMentioning(String text) {
    return ProcessHandle.allProcesses().map(p -> p.info().commandLine().orElse(""))
        .filter(line -> line.contains(text)).toList();
  }

  private void awaitPort() {
    Await.until(this::accepting, Duration.ofSeconds(15), "sshd to listen on 127.0.0.1:" + port + " (log in "
        + dir.resolve("sshd.log") + ")");
  }

  private boolean accepting() {
    if (!process.isAlive()) {
      throw new AssertionError("sshd exited; its log is in " + dir.resolve("sshd.log"));
    }
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException notYet) {
      return false;
    }
  }

  private static String run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " failed: " + out);
    }
    return out;
  }

  /** How many logins this sshd has accepted so far: one per SSH connection made to it. */
  public long logins() throws IOException {
    try (var lines = Files.lines(dir.resolve("sshd.log"))) {
      return lines.filter(line -> line.contains("Accepted publickey for ")).count();
    }
  }

  /** How many SFTP channels this sshd has started so far ("Starting session: subsystem 'sftp'" lines). */
  public long sftpStarts() throws IOException {
    try (var lines = Files.lines(dir.resolve("sshd.log"))) {
      return lines.filter(line -> line.contains("Starting session: subsystem 'sftp'")).count();
    }
  }

  /** Kills the connections' children too: sshd forks one process per connection. */
  public void killConnections() throws IOException, InterruptedException {
    ProcessHandle.of(process.pid()).ifPresent(h -> h.descendants().forEach(ProcessHandle::destroyForcibly));
  }

  @Override
  public void close() {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
