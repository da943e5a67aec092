package dev.ferry.core.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A section of the YAML config with typed getters that know their full key, so every error names
 * it ("config key 'ftps.passivePorts': ..."). Unknown keys are errors too: a typo must not be
 * silently ignored.
 */
public final class ConfigNode {

  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)?");

  private final String path;
  private final Map<String, Object> values;
  private final EnvSubstitution env;

  ConfigNode(String path, Map<String, Object> values, EnvSubstitution env) {
    this.path = path;
    this.values = values;
    this.env = env;
  }

  private String key(String name) {
    return path.isEmpty() ? name : path + "." + name;
  }

  public void allowOnly(String... names) {
    Set<String> allowed = Set.of(names);
    for (String name : values.keySet()) {
      if (!allowed.contains(name)) {
        throw new ConfigException(key(name), "unknown key (expected one of " + String.join(", ", names) + ")");
      }
    }
  }

  /** The environment the file was read with ({@code ${VAR}} substitution), for values that name a variable. */
  public EnvSubstitution environment() {
    return env;
  }

  /** The names of this section's keys, in the file's order. */
  public List<String> names() {
    return List.copyOf(values.keySet());
  }

  public boolean has(String name) {
    return values.get(name) != null;
  }

  @SuppressWarnings("unchecked")
  public ConfigNode section(String name) {
    Object value = values.get(name);
    if (value == null) {
      return new ConfigNode(key(name), Map.of(), env);
    }
    if (!(value instanceof Map)) {
      throw new ConfigException(key(name), "must be a section (key: value lines), got '" + value + "'");
    }
    return new ConfigNode(key(name), (Map<String, Object>) value, env);
  }

  @SuppressWarnings("unchecked")
  public List<ConfigNode> sections(String name) {
    Object value = values.get(name);
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof List<?> list)) {
      throw new ConfigException(key(name), "must be a list");
    }
    List<ConfigNode> result = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      if (!(list.get(i) instanceof Map)) {
        throw new ConfigException(key(name) + "[" + i + "]", "must be a section");
      }
      result.add(new ConfigNode(key(name) + "[" + i + "]", (Map<String, Object>) list.get(i), env));
    }
    return result;
  }

  public List<String> strings(String name) {
    Object value = values.get(name);
    if (value == null) {
      return List.of();
    }
    if (value instanceof String s) {
      return List.of(env.apply(key(name), s).split("\\s*,\\s*"));
    }
    if (!(value instanceof List<?> list)) {
      throw new ConfigException(key(name), "must be a list of strings");
    }
    List<String> result = new ArrayList<>();
    for (Object item : list) {
      result.add(env.apply(key(name), String.valueOf(item)));
    }
    return result;
  }

  public String string(String name, String fallback) {
    Object value = values.get(name);
    if (value == null) {
      return fallback;
    }
    if (value instanceof Map || value instanceof List) {
      throw new ConfigException(key(name), "must be a single value");
    }
    if (value instanceof java.util.Date date) {
      // YAML reads an unquoted 2027-06-30T00:00:00Z as a timestamp: given back as the ISO-8601 it was.
      return date.toInstant().toString();
    }
    return env.apply(key(name), String.valueOf(value));
  }

  public String requiredString(String name) {
    String value = string(name, null);
    if (value == null || value.isBlank()) {
      throw new ConfigException(key(name), "is required");
    }
    return value;
  }

  public int integer(String name, int fallback, int min, int max) {
    String value = string(name, null);
    if (value == null) {
      return fallback;
    }
    try {
      int parsed = Integer.parseInt(value.trim());
      if (parsed < min || parsed > max) {
        throw new ConfigException(key(name), "must be between " + min + " and " + max + ", got " + parsed);
      }
      return parsed;
    } catch (NumberFormatException e) {
      throw new ConfigException(key(name), "must be a whole number, got '" + value + "'");
    }
  }

  public boolean bool(String name, boolean fallback) {
    String value = string(name, null);
    if (value == null) {
      return fallback;
    }
    return switch (value.trim().toLowerCase(Locale.ROOT)) {
      case "true", "yes", "on" -> true;
      case "false", "no", "off" -> false;
      default -> throw new ConfigException(key(name), "must be true or false, got '" + value + "'");
    };
  }

  /** A byte count such as 8MiB, 512KiB, 1G or a plain number of bytes. */
  public long bytes(String name, long fallback) {
    String value = string(name, null);
    if (value == null) {
      return fallback;
    }
    try {
      return ByteSizes.size(value);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(key(name), e.getMessage());
    }
  }

  /** Bytes per second such as 20MiB/s (the "/s" may be left out); 0 for none given. */
  public long bytesPerSecond(String name) {
    String value = string(name, null);
    if (value == null) {
      return 0;
    }
    try {
      return ByteSizes.bytesPerSecond(value);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(key(name), e.getMessage());
    }
  }

  private long parseLong(String name, String digits) {
    try {
      return Long.parseLong(digits);
    } catch (NumberFormatException e) {
      throw new ConfigException(key(name), "number '" + digits + "' is too large");
    }
  }

  /** A duration such as 500ms, 30s, 10m, 24h or 7d (a plain number is seconds). */
  public Duration duration(String name, Duration fallback) {
    String value = string(name, null);
    if (value == null) {
      return fallback;
    }
    Matcher m = DURATION.matcher(value.trim());
    if (!m.matches()) {
      throw new ConfigException(key(name), "must be a duration such as 30s, 10m or 24h, got '" + value + "'");
    }
    long n = parseLong(name, m.group(1));
    String unit = m.group(2) == null ? "s" : m.group(2);
    return switch (unit) {
      case "ms" -> Duration.ofMillis(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      case "d" -> Duration.ofDays(n);
      default -> Duration.ofSeconds(n);
    };
  }

  public String keyOf(String name) {
    return key(name);
  }
}
