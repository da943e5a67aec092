package dev.ferry.server;

import dev.ferry.core.FerryConfig;
import dev.ferry.core.config.ConfigException;
import dev.ferry.core.user.PasswordHasher;
import java.io.BufferedReader;
import java.io.Console;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;

/**
 * Command line: {@code ferry --config FILE} runs the gateway (FERRY_CONFIG works too),
 * {@code ferry hash-password} turns a password on stdin into a bcrypt hash for the config.
 */
public final class Main {

  private Main() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("hash-password")) {
      hashPassword();
      return;
    }
    Path configFile = configFile(args);
    FerryServer server;
    try {
      server = new FerryServer(FerryConfig.load(configFile, System.getenv()), Clock.systemUTC());
    } catch (ConfigException e) {
      System.err.println("ferry: " + e.getMessage());
      System.exit(2);
      return;
    }
    try {
      server.start();
    } catch (Exception e) {
      System.err.println("ferry: cannot start: " + e.getMessage());
      server.stop();
      System.exit(1);
    }
    ShutdownSignals.onTermination(() -> {
      server.stop();
      System.exit(0);
    });
    server.awaitStop();
  }

  private static Path configFile(String[] args) {
    String file = System.getenv("FERRY_CONFIG");
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--config") && i + 1 < args.length) {
        file = args[++i];
      } else if (args[i].startsWith("--config=")) {
        file = args[i].substring("--config=".length());
      } else {
        usage("unknown argument '" + args[i] + "'");
      }
    }
    if (file == null) {
      usage("no config file: pass --config FILE or set FERRY_CONFIG");
    }
    Path path = Path.of(file);
    if (!Files.isRegularFile(path)) {
      usage("config file " + path + " does not exist");
    }
    return path;
  }

  private static void usage(String problem) {
    System.err.println("ferry: " + problem);
    System.err.println("usage: java -jar ferry.jar --config FILE");
    System.err.println("       java -jar ferry.jar hash-password   (reads the password on stdin)");
    System.exit(2);
  }

  private static void hashPassword() throws Exception {
    char[] password;
    Console console = System.console();
    if (console != null) {
      password = console.readPassword("password: ");
    } else {
      String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
      password = line == null ? new char[0] : line.toCharArray();
    }
    if (password == null || password.length == 0) {
      System.err.println("ferry: empty password on stdin");
      System.exit(2);
    }
    System.out.println(PasswordHasher.hash(password));
    Arrays.fill(password, '\0');
  }
}
