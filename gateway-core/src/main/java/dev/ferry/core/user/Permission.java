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

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
