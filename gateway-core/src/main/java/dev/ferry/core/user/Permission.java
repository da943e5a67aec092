package dev.ferry.core.user;

import java.util.Locale;

/** What a user may do in their home. Checked in core, so both protocols enforce the same rules. */
public enum Permission {
  LIST, READ, WRITE, OVERWRITE, DELETE, RENAME, MKDIR;

  public static Permission parse(String name) {
    try {
      return valueOf(name.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("unknown permission '" + name + "' (expected one of "
          + "list, read, write, overwrite, delete, rename, mkdir)");
    }
  }

  /**
   * A list of permission names as ferry.yaml, the API and identity sources give them; "all" (or "*")
   * is every one.
   *
   * @throws IllegalArgumentException naming the first name that is not a permission
   */
  public static java.util.Set<Permission> parseAll(java.util.List<String> names) {
    java.util.EnumSet<Permission> permissions = java.util.EnumSet.noneOf(Permission.class);
    for (String name : names) {
      if (name == null) {
        throw new IllegalArgumentException("must be a list of permission names, got null in it");
      }
      if (name.equals("all") || name.equals("*")) {
        permissions.addAll(java.util.EnumSet.allOf(Permission.class));
      } else {
        permissions.add(parse(name));
      }
    }
    return java.util.Set.copyOf(permissions);
  }

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
