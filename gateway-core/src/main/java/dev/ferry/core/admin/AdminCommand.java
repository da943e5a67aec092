package dev.ferry.core.admin;

import java.util.Set;

/** One admin command: what it accepts (checked before it runs) and what it does. */
public interface AdminCommand {

  String name();

  /** One line, e.g. "cancel <job id>". */
  String usage();

  default int minArgs() {
    return 0;
  }

  default int maxArgs() {
    return 0;
  }

  /** Options that take a value ({@code --parts 4}). */
  default Set<String> options() {
    return Set.of();
  }

  /** Options without a value ({@code --overwrite}). */
  default Set<String> flags() {
    return Set.of();
  }

  AdminResponse run(AdminRequest request) throws AdminException, Exception;
}
