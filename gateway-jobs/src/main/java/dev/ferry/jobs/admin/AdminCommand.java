package dev.ferry.jobs.admin;

import dev.ferry.core.admin.AdminException;
import dev.ferry.core.admin.AdminResponse;
import java.util.Set;

/**
 * One admin command: its declaration ({@link Syntax}: name, usage, what it accepts, whether it only
 * reads), given once to the constructor, and what it does. {@code T} is the type of its answer's
 * data, which the console reads through {@link AdminCommandRegistry#execute(dev.ferry.core.admin.AdminCaller,
 * Class, java.util.List)} without casts; SSH exec and the HTTP API see its text and JSON.
 */
public abstract class AdminCommand<T> {

  private final Syntax syntax;

  protected AdminCommand(Syntax syntax) {
    this.syntax = syntax;
  }

  public final Syntax syntax() {
    return syntax;
  }

  /**
   * Whether the command only reads (jobs, job, hosts, df, stat...). A read that succeeds is audited
   * at debug level: the console's pages poll them every second, which would bury the changes.
   */
  public final boolean readOnly() {
    return syntax.readOnly();
  }

  public abstract AdminResponse<T> run(AdminRequest request) throws AdminException, Exception;

  /**
   * What a command accepts: {@code minArgs} to {@code maxArgs} positional words, {@code options}
   * that take a value ({@code --parts 4}) and {@code flags} that do not ({@code --overwrite}).
   * {@code usage} is one line, e.g. "cancel &lt;job id&gt;"; {@code readOnly}: it changes nothing.
   */
  public record Syntax(String name, String usage, int minArgs, int maxArgs, Set<String> options, Set<String> flags,
      boolean readOnly) {

    /** A command that only reads, with exactly {@code args} positional words and no options. */
    public static Syntax reads(String name, String usage, int args) {
      return new Syntax(name, usage, args, args, Set.of(), Set.of(), true);
    }

    /** A command that changes something, with exactly {@code args} positional words and no options. */
    public static Syntax changes(String name, String usage, int args) {
      return new Syntax(name, usage, args, args, Set.of(), Set.of(), false);
    }

    /** The same, taking {@code minArgs} to {@code maxArgs} positional words, {@code options} and {@code flags}. */
    public Syntax accepting(int minArgs, int maxArgs, Set<String> options, Set<String> flags) {
      return new Syntax(name, usage, minArgs, maxArgs, options, flags, readOnly);
    }
  }
}
