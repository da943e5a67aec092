package dev.ferry.jobs;

import dev.ferry.core.FerryConfig;
import dev.ferry.core.config.ConfigException;
import dev.ferry.core.config.ConfigNode;
import dev.ferry.jobs.admin.AdminHttpSettings;
import dev.ferry.jobs.engine.JobSettings;
import dev.ferry.jobs.remote.ConnectionPool;
import dev.ferry.jobs.remote.RemoteHost;
import dev.ferry.jobs.sync.SyncConfig;
import dev.ferry.jobs.sync.SyncDefinition;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The {@code jobs}, {@code remotes}, {@code syncs} and {@code admin} sections of ferry.yaml: transfers,
 * syncs and the admin console. Parsed from the same file as core's {@link FerryConfig}, with errors
 * naming the key as core's do.
 */
public record JobsConfig(JobSettings jobs, ConnectionPool connections, List<RemoteHost> remotes,
    List<SyncDefinition> syncs, AdminHttpSettings adminHttp) {

  public static JobsConfig of(FerryConfig config) {
    ConfigNode root = config.file().root();
    List<RemoteHost> remotes = remotes(root.sections("remotes"), config.file().directory());
    return new JobsConfig(jobs(root.section("jobs"), config.dataDir()), connections(root.section("jobs")), remotes,
        SyncConfig.of(config, remotes),
        adminHttp(root.section("admin")));
  }

  private static JobSettings jobs(ConfigNode node, Path dataDir) {
    node.allowOnly("workers", "maxAttempts", "retryBackoff", "freeSpacePercent", "freeSpaceRecheck", "parts",
        "maxParts", "channelsPerSession", "presignValidity", "commandTimeout", "pollInterval", "retention",
        "idleConnections", "idleConnectionTime");
    int maxParts = node.integer("maxParts", 64, 1, 1024);
    return new JobSettings(dataDir.resolve("jobs"), node.integer("workers", 2, 1, 64),
        node.integer("maxAttempts", 5, 1, 100), node.duration("retryBackoff", Duration.ofSeconds(5)),
        percent(node, "freeSpacePercent"), node.duration("freeSpaceRecheck", Duration.ofSeconds(120)),
        node.integer("parts", 4, 1, maxParts), maxParts, node.integer("channelsPerSession", 8, 1, 64),
        node.duration("presignValidity", Duration.ofHours(6)), node.duration("commandTimeout", Duration.ofHours(12)),
        node.duration("pollInterval", Duration.ofSeconds(1)),
        node.duration("retention", JobSettings.DEFAULT_RETENTION));
  }

  /** The SSH connections to each remote kept open between jobs and syncs. */
  private static ConnectionPool connections(ConfigNode node) {
    Duration idleTime = node.duration("idleConnectionTime", ConnectionPool.DEFAULT.idleTime());
    if (idleTime.isZero() || idleTime.isNegative()) {
      throw new ConfigException(node.keyOf("idleConnectionTime"), "must be positive (idleConnections: 0 keeps"
          + " no connection open), got " + idleTime);
    }
    return new ConnectionPool(node.integer("idleConnections", ConnectionPool.DEFAULT.idlePerRemote(), 0, 64),
        idleTime);
  }

  /** Empty (as SSH_FREE_SPACE_PERCENTAGE may be) or 0: no check. */
  private static double percent(ConfigNode node, String name) {
    String value = node.string(name, "");
    if (value.isBlank()) {
      return 0;
    }
    try {
      double parsed = Double.parseDouble(value.trim());
      if (parsed < 0 || parsed > 100 || Double.isNaN(parsed)) {
        throw new ConfigException(node.keyOf(name), "must be a percentage between 0 and 100, got '" + value + "'");
      }
      return parsed;
    } catch (NumberFormatException e) {
      throw new ConfigException(node.keyOf(name), "must be a percentage between 0 and 100 (or empty), got '"
          + value + "'");
    }
  }

  private static List<RemoteHost> remotes(List<ConfigNode> nodes, Path base) {
    List<RemoteHost> hosts = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (ConfigNode node : nodes) {
      node.allowOnly("name", "address", "port", "user", "privateKey", "passphrase", "hostKey", "roots");
      String name = node.requiredString("name");
      if (!name.matches("[A-Za-z0-9._-]{1,64}")) {
        throw new ConfigException(node.keyOf("name"), "must be 1-64 letters, digits or . _ -, got '" + name + "'");
      }
      if (!names.add(name)) {
        throw new ConfigException(node.keyOf("name"), "remote '" + name + "' is defined twice");
      }
      String hostKey = node.requiredString("hostKey").trim();
      if (!hostKey.startsWith("SHA256:") && !hostKey.matches("(\\S+\\s+)?(ssh-|ecdsa-)\\S+\\s+\\S+.*")) {
        throw new ConfigException(node.keyOf("hostKey"), "must be a known_hosts line ('[host]:port ssh-ed25519 AAAA...')"
            + " or a fingerprint ('SHA256:...', from ssh-keygen -lf); there is no accept-any");
      }
      List<String> roots = node.has("roots") ? node.strings("roots") : List.of("/");
      for (String root : roots) {
        if (!root.startsWith("/") || root.contains("/../") || root.endsWith("/..")) {
          throw new ConfigException(node.keyOf("roots"), "'" + root + "' must be an absolute path without '..'");
        }
      }
      String passphrase = node.string("passphrase", null);
      hosts.add(new RemoteHost(name, node.requiredString("address"), node.integer("port", 22, 1, 65535),
          node.requiredString("user"), base.resolve(node.requiredString("privateKey")),
          passphrase == null || passphrase.isEmpty() ? null : passphrase, hostKey, List.copyOf(roots)));
    }
    return List.copyOf(hosts);
  }

  private static AdminHttpSettings adminHttp(ConfigNode admin) {
    admin.allowOnly("http");
    ConfigNode http = admin.section("http");
    http.allowOnly("enabled", "bindAddress", "port", "token", "tokens", "idleTimeout", "tls");
    boolean enabled = http.bool("enabled", http.has("port"));
    return new AdminHttpSettings(enabled, http.string("bindAddress", "127.0.0.1"), http.integer("port", 8090, 0, 65535),
        AdminTokensConfig.of(http, enabled), http.duration("idleTimeout", Duration.ofMinutes(1)),
        http.bool("tls", false));
  }
}
