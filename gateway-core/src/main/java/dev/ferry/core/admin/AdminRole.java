package dev.ferry.core.admin;

import java.util.Arrays;
import java.util.Optional;

/**
 * What a caller may run: nothing (a user without the admin role), only the commands that change
 * nothing ({@code read-only}, for monitoring and CI tokens), or everything.
 */
public enum AdminRole {
  NONE("none"), READ_ONLY("read-only"), ADMIN("admin");

  private final String configName;

  AdminRole(String configName) {
    this.configName = configName;
  }

  /** As written in ferry.yaml and in refusals: "admin", "read-only". */
  public String configName() {
    return configName;
  }

  /** The role a token may be given in ferry.yaml ({@code admin} or {@code read-only}); empty for anything else. */
  public static Optional<AdminRole> ofTokenRole(String name) {
    return Arrays.stream(values()).filter(r -> r != NONE && r.configName.equals(name)).findFirst();
  }
}
