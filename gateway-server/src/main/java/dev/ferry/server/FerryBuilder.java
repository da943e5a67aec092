package dev.ferry.server;

import dev.ferry.core.FerryConfig;
import dev.ferry.core.config.ConfigException;
import dev.ferry.core.config.ConfigFile;
import dev.ferry.core.event.FerryEvent;
import dev.ferry.core.user.Authenticator;
import dev.ferry.core.user.PasswordHasher;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Ferry started from Java, without a ferry.yaml, by an application that embeds it:
 *
 * <pre>{@code
 * FerryServer ferry = FerryServer.builder()
 *     .dataDir(Path.of("/var/lib/app/ferry"))
 *     .s3(URI.create("https://s3.example.com"), accessKey, secretKey)
 *     .sftp("0.0.0.0", 2222)
 *     .user("partner", password, "s3://inbound/partner/", "list", "read", "write")
 *     .authenticator(appUsers)   // or only this: the application's own users
 *     .onEvent("app", event -> { if (event instanceof FileEvent f) ... })
 *     .start();
 * }</pre>
 *
 * What the builder is given becomes the same tree of settings ferry.yaml would be, and is parsed and
 * checked by the same code: a wrong value is refused with the same message, naming the key it
 * would have in ferry.yaml. Every key of ferry.yaml is reachable with {@link #set}.
 */
public final class FerryBuilder {

  private final Map<String, Object> root = new LinkedHashMap<>();
  private final List<Map<String, Object>> users = new ArrayList<>();
  private final Map<String, Consumer<? super FerryEvent>> subscribers = new LinkedHashMap<>();
  private Path directory = Path.of(".");
  private Authenticator authenticator;

  FerryBuilder() {
    root.put("users", users);
  }

  /** Where Ferry keeps its state (embedded store, upload journal, spill files); relative paths start here. */
  public FerryBuilder dataDir(Path dataDir) {
    directory = dataDir.toAbsolutePath();
    return set("dataDir", directory.toString());
  }

  /** The S3-API endpoint and its credentials. */
  public FerryBuilder s3(URI endpoint, String accessKey, String secretKey) {
    set("s3.endpoint", endpoint.toString());
    set("s3.accessKey", accessKey);
    return set("s3.secretKey", secretKey);
  }

  /** Explicit FTPS (AUTH TLS) on {@code bindAddress}:{@code port} (0: a free port), passive ports chosen freely, no implicit port. */
  public FerryBuilder ftps(String bindAddress, int port) {
    set("ftps.bindAddress", bindAddress);
    set("ftps.port", port);
    set("ftps.implicitPort", -1);
    return set("ftps.passivePorts", "0");
  }

  /** SFTP on {@code bindAddress}:{@code port} (0: a free port). */
  public FerryBuilder sftp(String bindAddress, int port) {
    set("sftp.bindAddress", bindAddress);
    return set("sftp.port", port);
  }

  /** A user who logs in with {@code password}, at home in {@code home} (s3://bucket/prefix/). */
  public FerryBuilder user(String name, char[] password, String home, String... permissions) {
    Map<String, Object> user = user(name, home, permissions);
    user.put("passwordHash", PasswordHasher.hash(password));
    return this;
  }

  /** A user who logs in over SFTP with the key of {@code authorizedKeyLine} ("ssh-ed25519 AAAA..."). */
  public FerryBuilder userWithKey(String name, String authorizedKeyLine, String home, String... permissions) {
    Map<String, Object> user = user(name, home, permissions);
    user.put("publicKeys", List.of(authorizedKeyLine));
    return this;
  }

  private Map<String, Object> user(String name, String home, String... permissions) {
    Map<String, Object> user = new LinkedHashMap<>();
    user.put("name", name);
    user.put("home", home);
    if (permissions.length > 0) {
      user.put("permissions", Arrays.asList(permissions));
    }
    users.add(user);
    return user;
  }

  /**
   * The application's own users, for logins (FTPS and SFTP passwords, SFTP keys) whose name is not
   * one given with {@link #user} or {@link #userWithKey}; with it, no such user is needed at all.
   */
  public FerryBuilder authenticator(Authenticator applicationUsers) {
    this.authenticator = applicationUsers;
    return this;
  }

  /**
   * Any setting by its ferry.yaml key, sections joined with '.': {@code set("uploads.partSize", "16MiB")},
   * {@code set("s3.createBuckets", true)}. Lists and sections are given as {@link List} and {@link Map}.
   */
  public FerryBuilder set(String key, Object value) {
    String[] path = key.split("\\.");
    Map<String, Object> section = root;
    for (int i = 0; i < path.length - 1; i++) {
      Object child = section.computeIfAbsent(path[i], k -> new LinkedHashMap<String, Object>());
      if (!(child instanceof Map)) {
        throw new ConfigException(key, "'" + path[i] + "' is a value, not a section");
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> map = (Map<String, Object>) child;
      section = map;
    }
    section.put(path[path.length - 1], value);
    return this;
  }

  /**
   * Calls {@code listener} with every event from the first connection on, on the thread that
   * caused it (see {@link dev.ferry.core.event.EventBus}): it must be quick and must not block.
   */
  public FerryBuilder onEvent(String name, Consumer<? super FerryEvent> listener) {
    subscribers.put(name, listener);
    return this;
  }

  /**
   * Checks the settings and starts Ferry.
   *
   * @throws ConfigException naming the key of a wrong or missing setting
   * @throws IOException when a listener or the state store cannot start, or S3 cannot be reached
   */
  public FerryServer start() throws IOException {
    FerryServer ferry = new FerryServer(FerryConfig.parse(ConfigFile.of(root, directory)), Clock.systemUTC());
    subscribers.forEach(ferry.events()::subscribe);
    ferry.authenticator(authenticator);
    try {
      ferry.start();
    } catch (IOException | RuntimeException e) {
      ferry.stop();
      throw e;
    }
    return ferry;
  }
}
