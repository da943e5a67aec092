package dev.ferry.jobs.sync;

import dev.ferry.core.FerryConfig;
import dev.ferry.core.config.ConfigException;
import dev.ferry.core.config.ConfigNode;
import dev.ferry.core.s3.S3Location;
import dev.ferry.jobs.remote.RemoteHost;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The {@code syncs} section of ferry.yaml, checked against the configured remotes; errors name the key. */
public final class SyncConfig {

  private SyncConfig() {}

  public static List<SyncDefinition> of(FerryConfig config, List<RemoteHost> remotes) {
    Map<String, RemoteHost> hosts = new LinkedHashMap<>();
    remotes.forEach(h -> hosts.put(h.name(), h));
    List<SyncDefinition> syncs = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (ConfigNode node : config.file().root().sections("syncs")) {
      node.allowOnly("name", "source", "target", "every", "fullEvery", "include", "exclude", "minAge", "parallel",
          "recursive", "deleteSource", "mirror");
      String name = node.requiredString("name");
      if (!name.matches("[A-Za-z0-9._-]{1,64}")) {
        throw new ConfigException(node.keyOf("name"), "must be 1-64 letters, digits or . _ -, got '" + name + "'");
      }
      if (!names.add(name)) {
        throw new ConfigException(node.keyOf("name"), "sync '" + name + "' is defined twice");
      }
      SyncPlaces.Source source = checked(node, "source", () -> SyncPlaces.source(node.requiredString("source"), hosts));
      S3Location target = checked(node, "target", () -> SyncPlaces.target(node.requiredString("target")));
      Duration every = positive(node, "every", node.duration("every", Duration.ofMinutes(1)));
      Duration fullEvery = node.has("fullEvery") ? positive(node, "fullEvery", node.duration("fullEvery", null)) : null;
      List<String> include = checked(node, "include", () -> SyncPlaces.globs(node.has("include")
          ? node.strings("include") : List.of()));
      List<String> exclude = checked(node, "exclude", () -> SyncPlaces.globs(node.has("exclude")
          ? node.strings("exclude") : List.of()));
      syncs.add(new SyncDefinition(name, source.host().name(), source.dir(), target.bucket(), target.key(), every,
          fullEvery, include, exclude, node.duration("minAge", Duration.ZERO), node.integer("parallel", 4, 1, 64),
          node.bool("recursive", true), node.bool("deleteSource", false), node.bool("mirror", false)));
    }
    return List.copyOf(syncs);
  }

  private interface Parse<T> {
    T parse();
  }

  private static <T> T checked(ConfigNode node, String key, Parse<T> parse) {
    try {
      return parse.parse();
    } catch (IllegalArgumentException e) {
      throw new ConfigException(node.keyOf(key), e.getMessage());
    }
  }

  private static Duration positive(ConfigNode node, String key, Duration value) {
    if (value.isZero() || value.isNegative()) {
      throw new ConfigException(node.keyOf(key), "must be a positive duration such as 1m or 2h");
    }
    return value;
  }
}
