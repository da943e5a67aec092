package dev.ferry.jobs;

import dev.ferry.core.admin.AdminRole;
import dev.ferry.core.config.ConfigException;
import dev.ferry.core.config.ConfigNode;
import dev.ferry.jobs.admin.AdminToken;
import dev.ferry.jobs.admin.AdminTokens;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code admin.http.token} and {@code admin.http.tokens}: the first, as before, is the admin token
 * named "default"; each of the second has a name, a {@code token} or its SHA-256 ({@code tokenHash},
 * 64 hex digits, so ferry.yaml need not hold a usable secret) and a {@code role}.
 */
final class AdminTokensConfig {

  static final String DEFAULT_NAME = "default";
  private static final int MIN_LENGTH = 16;
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-fA-F]{64}");

  private AdminTokensConfig() {}

  static AdminTokens of(ConfigNode http, boolean enabled) {
    List<AdminToken> tokens = new ArrayList<>();
    Set<String> names = new HashSet<>();
    String single = http.string("token", "");
    // As before: the single token is checked only when the API is on (ferry.example.yaml leaves it empty).
    if (enabled && (!single.isEmpty() || !http.has("tokens"))) {
      tokens.add(new AdminToken(DEFAULT_NAME, AdminTokens.sha256(secret(http, "token", single)), AdminRole.ADMIN));
      names.add(DEFAULT_NAME);
    }
    for (ConfigNode node : http.sections("tokens")) {
      AdminToken token = token(node);
      if (!names.add(token.name())) {
        throw new ConfigException(node.keyOf("name"), "token '" + token.name() + "' is defined twice (the single"
            + " admin.http.token is named '" + DEFAULT_NAME + "')");
      }
      tokens.add(token);
    }
    if (enabled && tokens.isEmpty()) {
      throw new ConfigException(http.keyOf("tokens"), "must hold at least one token when the admin HTTP API is on");
    }
    return new AdminTokens(tokens);
  }

  private static AdminToken token(ConfigNode node) {
    node.allowOnly("name", "token", "tokenHash", "role");
    String name = node.requiredString("name");
    if (!NAME.matcher(name).matches()) {
      throw new ConfigException(node.keyOf("name"), "must be 1-64 letters, digits or . _ -, got '" + name + "'");
    }
    String role = node.requiredString("role");
    AdminRole parsed = AdminRole.ofTokenRole(role).orElseThrow(() -> new ConfigException(node.keyOf("role"),
        "must be admin or read-only, got '" + role + "'"));
    boolean hashed = node.has("tokenHash");
    if (hashed == node.has("token")) {
      throw new ConfigException(node.keyOf("token"), "give either token or tokenHash (its SHA-256 in hex, e.g."
          + " printf %s \"$TOKEN\" | sha256sum), not " + (hashed ? "both" : "neither"));
    }
    if (!hashed) {
      return new AdminToken(name, AdminTokens.sha256(secret(node, "token", node.string("token", ""))), parsed);
    }
    String hex = node.string("tokenHash", "").trim();
    if (!SHA256_HEX.matcher(hex).matches()) {
      throw new ConfigException(node.keyOf("tokenHash"), "must be a SHA-256 in hex (64 digits 0-9 a-f), got "
          + hex.length() + " characters");
    }
    return new AdminToken(name, HexFormat.of().parseHex(hex.toLowerCase()), parsed);
  }

  /** A token given in clear: long enough not to be guessed (its value is never in the error). */
  private static String secret(ConfigNode node, String key, String value) {
    if (value.length() < MIN_LENGTH) {
      throw new ConfigException(node.keyOf(key), "must be at least " + MIN_LENGTH + " characters, got "
          + (value.isEmpty() ? "an empty one" : value.length()) + " (e.g. token: ${FERRY_ADMIN_TOKEN})");
    }
    return value;
  }
}
