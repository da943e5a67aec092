package dev.ferry.core.config;

/** A configuration problem, naming the key and what is wrong with it. Stops start-up. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String key, String problem) {
    super("config " + (key.isEmpty() ? "file" : "key '" + key + "'") + ": " + problem);
  }
}
