package dev.ferry.core.user;

import dev.ferry.core.admin.AdminException;
import dev.ferry.core.admin.AdminStatus;
import dev.ferry.core.config.InvalidFieldException;
import dev.ferry.core.s3.S3Location;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a user kept as data must be, checked before anything is written: each refusal names the
 * field and the problem, and changes nothing. The same rules as ferry.yaml's users where both have
 * the field (name, home, permissions, key lines), and stricter where a change arrives over the
 * network: a password of at least {@link #MIN_PASSWORD_LENGTH} characters, no RSA key under 2048 bits.
 */
final class AccountRules {

  static final int MIN_PASSWORD_LENGTH = 12;
  private static final int MAX_PASSWORD_LENGTH = 1024;

  private AccountRules() {}

  static void name(String name) throws AdminException {
    if (name == null || !name.matches("[A-Za-z0-9._@-]{1,64}")) {
      throw invalid("name", "must be 1-64 letters, digits or . _ @ -, got '" + printable(name) + "'");
    }
  }

  /** The hash to keep for the password given, or null when none is. */
  static String passwordHash(AccountFields fields) throws AdminException {
    if (fields.password() != null && fields.passwordHash() != null) {
      throw invalid("password", "give password or passwordHash, not both");
    }
    if (fields.passwordHash() != null) {
      if (!PasswordHasher.isSupported(fields.passwordHash())) {
        throw invalid("passwordHash", "must be a bcrypt hash ($2y$..., as java -jar ferry.jar hash-password makes)"
            + " or an argon2id one ($argon2id$v=19$m=...)");
      }
      return fields.passwordHash();
    }
    if (fields.password() == null) {
      return null;
    }
    if (fields.password().length() < MIN_PASSWORD_LENGTH) {
      throw invalid("password", "must have at least " + MIN_PASSWORD_LENGTH + " characters, got "
          + fields.password().length());
    }
    if (fields.password().length() > MAX_PASSWORD_LENGTH) {
      throw invalid("password", "must have at most " + MAX_PASSWORD_LENGTH + " characters");
    }
    return PasswordHasher.hash(fields.password().toCharArray());
  }

  static S3Location home(String home) throws AdminException {
    if (home == null || home.isBlank()) {
      throw invalid("home", "is required (s3://bucket/prefix/)");
    }
    try {
      return S3Location.parsePrefix(home);
    } catch (IllegalArgumentException e) {
      throw invalid("home", e.getMessage());
    }
  }

  static Set<Permission> permissions(List<String> names) throws AdminException {
    try {
      return Permission.parseAll(names);
    } catch (IllegalArgumentException e) {
      throw invalid("permissions", e.getMessage());
    }
  }

  /**
   * The login limits the fields give, each over {@code now}'s where not given: {@code allowFrom}
   * replaces the list, {@code expires} the instant ("" clears it).
   */
  static LoginLimits limits(AccountFields fields, LoginLimits now) throws AdminException {
    List<String> allowFrom = fields.allowFrom() != null ? fields.allowFrom() : now.allowFromText();
    String expires = fields.expires() != null ? fields.expires()
        : now.expires() == null ? null : now.expires().toString();
    try {
      return LoginLimits.parse(allowFrom, expires, "allowFrom", "expires");
    } catch (InvalidFieldException e) {
      throw invalid(e.field(), e.problem());
    }
  }

  /** The key lines, checked and named by fingerprint, in the order given; a repeated key is refused. */
  static Map<String, String> keys(List<String> lines) throws AdminException {
    Map<String, String> byFingerprint = new LinkedHashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = key("keys[" + i + "]", lines.get(i));
      if (byFingerprint.put(AuthorizedKeyLine.fingerprint(line), line) != null) {
        throw invalid("keys[" + i + "]", "is the same key as an earlier one");
      }
    }
    return byFingerprint;
  }

  /** One authorized_keys line, trimmed: a known type, well formed, strong enough. */
  static String key(String field, String line) throws AdminException {
    String problem = AuthorizedKeyLine.problem(line);
    if (problem == null) {
      problem = AuthorizedKeyLine.weakness(line);
    }
    if (problem != null) {
      throw invalid(field, problem);
    }
    if (line.chars().anyMatch(c -> c < 0x20 && c != '\t')) {
      throw invalid(field, "must be one line");
    }
    return line.trim();
  }

  static AdminException invalid(String field, String problem) {
    return new AdminException(AdminStatus.BAD_REQUEST, field + ": " + problem);
  }

  private static String printable(String text) {
    if (text == null) {
      return "";
    }
    StringBuilder shown = new StringBuilder();
    text.codePoints().limit(80).forEach(c -> {
      if (Character.isISOControl(c)) {
        shown.append(String.format("\\u%04x", c));
      } else {
        shown.appendCodePoint(c);
      }
    });
    return shown.toString();
  }
}
