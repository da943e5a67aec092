package dev.ferry.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * lftp, the FTPS client the README starts with, with its defaults as a user runs it (only the
 * certificate is not verified: the tests' is self-signed), logging in with a password.
 */
public final class Lftp {

  private final int port;
  private final String user;
  private final String password;
  /** The local address lftp's sockets are bound to (its net:socket-bind-ipv4), or null for the system's choice. */
  private final String bindAddress;

  public Lftp(int port, String user, String password) {
    this(port, user, password, null);
  }

  private Lftp(int port, String user, String password, String bindAddress) {
    this.port = port;
    this.user = user;
    this.password = password;
    this.bindAddress = bindAddress;
  }

  /** The same client connecting from {@code address} (another 127.0.0.x), as a client elsewhere would. */
  public Lftp from(String address) {
    return new Lftp(port, user, password, address);
  }

  /** Uploads {@code local} to {@code remote} (a path from the home), making its directory first. */
  public void put(Path local, String remote) throws IOException, InterruptedException {
    String dir = remote.contains("/") ? remote.substring(0, remote.lastIndexOf('/')) : "";
    run((dir.isEmpty() ? "" : "mkdir -p -f '" + dir + "'; ") + "put '" + local + "' -o '" + remote + "'");
  }

  /** Runs lftp {@code commands} after the login; fails unless lftp exits 0. */
  public void run(String commands) throws IOException, InterruptedException {
    output(commands);
  }

  /** Runs lftp {@code commands} after the login; fails unless lftp exits 0; returns what lftp printed. */
  public String output(String commands) throws IOException, InterruptedException {
    Process process = start(commands);
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(120, TimeUnit.SECONDS), "lftp " + commands + " did not end");
    assertEquals(0, process.exitValue(), "lftp " + commands + ": " + output);
    return output;
  }

  /** Runs lftp {@code commands} after the login, which must fail; returns what lftp printed. */
  public String refused(String commands) throws IOException, InterruptedException {
    Process process = start(commands);
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(120, TimeUnit.SECONDS), "lftp " + commands + " did not end");
    assertNotEquals(0, process.exitValue(), "lftp " + commands + " succeeded: " + output);
    return output;
  }

  private Process start(String commands) throws IOException {
    String script = "set cmd:fail-exit yes; set ssl:verify-certificate no; set net:max-retries 1; "
        + (bindAddress == null ? "" : "set net:socket-bind-ipv4 " + bindAddress + "; ") + "open -u '" + user + "','" + password + "' ftp://127.0.0.1:" + port + "; " + commands;
    Process process = new ProcessBuilder(List.of("lftp", "-c", script)).redirectErrorStream(true).start();
    process.getOutputStream().close();
    return process;
  }
}
