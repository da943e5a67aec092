package dev.ferry.jobs.admin;

import dev.ferry.core.admin.AdminException;
import dev.ferry.core.admin.AdminResponse;
import java.util.Set;

/** One admin command: what it accepts (checked before it runs) and what it does. */
public interface AdminCommand {

  Syntax syntax();

  AdminResponse run(AdminRequest request) throws AdminException, Exception;

  /**
   * Whether the command only reads (jobs, job, hosts, df, stat...). A read that succeeds is audited
   * at debug level: the console's pages poll them every second, which would bury the changes.
   */
  default boolean readOnly() {
    return false;
  }

  /**
   * What a command accepts: {@code minArgs} to {@code maxArgs} positional words, {@code options}
   * that take a value ({@code --parts 4}) and {@code flags} that do not ({@code --overwrite}).
   * {@code usage} is one line, e.g. "cancel &lt;job id&gt;".
   */
  record Syntax(String name, String usage, int minArgs, int maxArgs, Set<String> options, Set<String> flags) {

    /** A command with exactly {@code args} positional words and no options. */
    public static Syntax of(String name, String usage, int args) {
      return new Syntax(name, usage, args, args, Set.of(), Set.of());
    }
  }
}
