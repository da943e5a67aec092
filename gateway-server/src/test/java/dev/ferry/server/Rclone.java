package dev.ferry.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Debian's rclone with its defaults, its remotes given as RCLONE_CONFIG_* variables (no config
 * file), as a user syncing a tree against Ferry would run it.
 */
public final class Rclone {

  private Rclone() {}

  /** Exit status and everything rclone printed. */
  public record Result(int exit, String text) {}

  /** Runs {@code rclone args} with {@code remotes}; fails unless it exits 0. */
  public static void run(Map<String, String> remotes, String... args) throws IOException, InterruptedException {
    Result result = output(remotes, args);
    assertEquals(0, result.exit(), String.join(" ", args) + ": " + result.text());
  }

  public static Result output(Map<String, String> remotes, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("rclone", "--config", "/dev/null"));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().remove("AWS_CA_BUNDLE");
    builder.environment().putAll(remotes);
    Process process = builder.start();
    process.getOutputStream().close();
    String text = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(120, TimeUnit.SECONDS), "rclone " + String.join(" ", args) + " did not end");
    return new Result(process.exitValue(), text);
  }
}
