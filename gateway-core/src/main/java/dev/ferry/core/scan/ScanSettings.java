package dev.ferry.core.scan;

import dev.ferry.core.config.ConfigException;
import dev.ferry.core.config.ConfigNode;
import dev.ferry.core.path.FileGlobs;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The {@code scan:} section of ferry.yaml: which uploads stream to clamd before they commit.
 *
 * <pre>
 * scan:
 *   clamd: tcp://127.0.0.1:3310          # or unix:/run/clamav/clamd.ctl
 *   match: { path: "/incoming/**", origins: [client, sync, watch] }   # or users: [partner]
 *   maxSize: 100MiB                      # bigger files are not scanned: onUnavailable decides
 *   onUnavailable: refuse                # or accept: clamd down, slow, over its limit
 *   timeout: 30s                         # the longest wait for clamd, per write and for the verdict
 * </pre>
 *
 * The match is the workflows' ({@code path}: a glob on the client's path, with '/' the whole path,
 * without it the name; {@code users}: clients of these users only, so that with users named,
 * syncs and watched folders are not scanned; {@code origins}: client, sync and watch by default.
 * {@code workflow} is opt-in: what a decrypt step makes is new to clamd (it cannot see inside an
 * OpenPGP message), but batch archives are workflow writes too, large and made of scanned files.
 */
public record ScanSettings(SocketAddress clamd, String clamdText, FileGlobs paths, Set<String> users,
    Set<String> origins, long maxSize, boolean refuseUnscanned, Duration timeout) {

  private static final Set<String> ORIGINS = Set.of("client", "sync", "watch", "workflow");
  private static final Set<String> DEFAULT_ORIGINS = Set.of("client", "sync", "watch");

  /** The section as configured; null when there is none (nothing is scanned). */
  public static ScanSettings parse(ConfigNode scan) {
    if (scan.names().isEmpty()) {
      return null;
    }
    scan.allowOnly("clamd", "match", "maxSize", "onUnavailable", "timeout");
    String clamdText = scan.string("clamd", null);
    if (clamdText == null) {
      throw new ConfigException(scan.keyOf("clamd"), "is required: tcp://host:port or unix:/path/to/clamd.sock");
    }
    ConfigNode match = scan.section("match");
    match.allowOnly("path", "users", "origins");
    String glob = match.string("path", null);
    if (glob != null && FileGlobs.problemOf(glob) != null) {
      throw new ConfigException(match.keyOf("path"), FileGlobs.problemOf(glob));
    }
    Set<String> origins = match.has("origins") ? Set.copyOf(match.strings("origins")) : DEFAULT_ORIGINS;
    for (String origin : origins) {
      if (!ORIGINS.contains(origin)) {
        throw new ConfigException(match.keyOf("origins"), "'" + origin + "' is not one of client, sync, watch, workflow");
      }
    }
    String onUnavailable = scan.string("onUnavailable", "refuse").toLowerCase(Locale.ROOT);
    if (!onUnavailable.equals("refuse") && !onUnavailable.equals("accept")) {
      throw new ConfigException(scan.keyOf("onUnavailable"), "must be refuse or accept, got '" + onUnavailable + "'");
    }
    Duration timeout = scan.duration("timeout", Duration.ofSeconds(30));
    if (timeout.isZero() || timeout.isNegative()) {
      throw new ConfigException(scan.keyOf("timeout"), "must be positive");
    }
    long maxSize = scan.bytes("maxSize", 100L << 20);
    if (maxSize <= 0) {
      throw new ConfigException(scan.keyOf("maxSize"), "must be positive");
    }
    return new ScanSettings(address(scan.keyOf("clamd"), clamdText), clamdText,
        glob == null ? null : new FileGlobs(List.of(glob), List.of()), Set.copyOf(match.strings("users")), origins,
        maxSize, onUnavailable.equals("refuse"), timeout);
  }

  /** Whether {@code subject}'s upload is scanned. */
  public boolean matches(ScanSubject subject) {
    if (!origins.contains(subject.origin())) {
      return false;
    }
    if (!users.isEmpty() && (subject.user() == null || !users.contains(subject.user()))) {
      return false;
    }
    return paths == null || (subject.path() != null && paths.takes(subject.path()));
  }

  private static SocketAddress address(String key, String text) {
    if (text.startsWith("unix:")) {
      String path = text.substring("unix:".length());
      if (!path.startsWith("/")) {
        throw new ConfigException(key, "a unix socket needs an absolute path (unix:/run/clamav/clamd.ctl), got '"
            + text + "'");
      }
      return UnixDomainSocketAddress.of(path);
    }
    if (text.startsWith("tcp://")) {
      URI uri;
      try {
        uri = URI.create(text);
      } catch (IllegalArgumentException e) {
        throw new ConfigException(key, "is not a tcp://host:port address: " + e.getMessage());
      }
      if (uri.getHost() == null || uri.getPort() < 1) {
        throw new ConfigException(key, "needs a host and a port (tcp://127.0.0.1:3310), got '" + text + "'");
      }
      // Looked up at each connection (ClamdStream), not here: a name that does not resolve yet
      // must not stop Ferry, nor be kept when clamd moves.
      return InetSocketAddress.createUnresolved(uri.getHost(), uri.getPort());
    }
    throw new ConfigException(key, "must be tcp://host:port or unix:/path, got '" + text + "'");
  }
}
