package dev.ferry.jobs.admin;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Optional;

/** The admin HTTP API's tokens, and which of them a presented bearer token is. */
public final class AdminTokens {

  private final List<AdminToken> tokens;

  public AdminTokens(List<AdminToken> tokens) {
    this.tokens = List.copyOf(tokens);
  }

  public List<AdminToken> all() {
    return tokens;
  }

  /**
   * The token {@code presented} is, if any. Its SHA-256 is compared with every token's, each in
   * constant time and without stopping at a match: neither the time a wrong guess takes nor the
   * position of the right token in the list tells anything about the tokens.
   */
  public Optional<AdminToken> match(String presented) {
    byte[] digest = sha256(presented);
    AdminToken found = null;
    for (AdminToken token : tokens) {
      if (MessageDigest.isEqual(digest, token.sha256()) && found == null) {
        found = token;
      }
    }
    return Optional.ofNullable(found);
  }

  public static byte[] sha256(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
