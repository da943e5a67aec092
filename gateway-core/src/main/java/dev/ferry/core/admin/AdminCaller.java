package dev.ferry.core.admin;

/**
 * Who runs an admin command, with which role and through which surface ("ssh", "http", "console"),
 * for authorization and the audit log. {@code name} is never a secret: for an HTTP token it is the
 * token's configured name.
 */
public record AdminCaller(String name, AdminRole role, String surface) {

  /** A user: an administrator has every command, anyone else none. */
  public AdminCaller(String name, boolean admin, String surface) {
    this(name, admin ? AdminRole.ADMIN : AdminRole.NONE, surface);
  }

  /** Whether the caller may run admin commands at all (some, with {@link AdminRole#READ_ONLY}). */
  public boolean admin() {
    return role != AdminRole.NONE;
  }
}
