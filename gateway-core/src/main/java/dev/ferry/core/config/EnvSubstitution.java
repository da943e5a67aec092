package dev.ferry.core.config;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Replaces {@code ${VAR}} and {@code ${VAR:-default}} with environment values; {@code $$} is a literal $. */
public final class EnvSubstitution {

  private static final Pattern REFERENCE = Pattern.compile("\\$\\$|\\$\\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?}");

  private final Map<String, String> environment;

  public EnvSubstitution(Map<String, String> environment) {
    this.environment = environment;
  }

  /** The environment variable {@code name}, or null: for a value that names one (a key's env:NAME). */
  public String variable(String name) {
    return environment.get(name);
  }

  /** @param key the config key being resolved, for the error message */
  public String apply(String key, String value) {
    Matcher m = REFERENCE.matcher(value);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String replacement;
      if (m.group().equals("$$")) {
        replacement = "$";
      } else {
        String name = m.group(1);
        String found = environment.get(name);
        if (found == null || found.isEmpty() && m.group(2) != null) {
          if (m.group(2) == null) {
            throw new ConfigException(key, "environment variable " + name + " is not set (use ${" + name
                + ":-default} for a default)");
          }
          found = m.group(3);
        }
        replacement = found;
      }
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    m.appendTail(out);
    return out.toString();
  }
}
