package dev.ferry.jobs.admin;

import dev.ferry.core.admin.AdminException;
import dev.ferry.core.admin.AdminStatus;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A command's arguments after validation: positionals, {@code --name value} options and
 * {@code --flag}s, each checked against what the command declares. {@code --json} is the surfaces'
 * output switch and always accepted.
 */
public final class AdminArgs {

  private final List<String> positionals;
  private final Map<String, String> options;
  private final Set<String> flags;

  private AdminArgs(List<String> positionals, Map<String, String> options, Set<String> flags) {
    this.positionals = positionals;
    this.options = options;
    this.flags = flags;
  }

  static AdminArgs parse(AdminCommand<?> command, List<String> words) throws AdminException {
    List<String> positionals = new ArrayList<>();
    Map<String, String> options = new HashMap<>();
    Set<String> flags = new HashSet<>();
    for (int i = 0; i < words.size(); i++) {
      String word = words.get(i);
      if (word.startsWith("--") && word.length() > 2) {
        String name = word.substring(2);
        String value = null;
        int eq = name.indexOf('=');
        if (eq > 0) {
          value = name.substring(eq + 1);
          name = name.substring(0, eq);
        }
        if (name.equals("json") || command.syntax().flags().contains(name)) {
          if (value != null) {
            throw usage(command, "--" + name + " takes no value");
          }
          flags.add(name);
        } else if (command.syntax().options().contains(name)) {
          if (value == null) {
            if (i + 1 >= words.size()) {
              throw usage(command, "--" + name + " needs a value");
            }
            value = words.get(++i);
          }
          options.put(name, value);
        } else {
          throw usage(command, "unknown option --" + name);
        }
      } else {
        positionals.add(word);
      }
    }
    AdminCommand.Syntax syntax = command.syntax();
    if (positionals.size() < syntax.minArgs() || positionals.size() > syntax.maxArgs()) {
      throw usage(command, "expected " + (syntax.minArgs() == syntax.maxArgs() ? syntax.minArgs()
          : syntax.minArgs() + " to " + syntax.maxArgs()) + " argument(s), got " + positionals.size());
    }
    return new AdminArgs(List.copyOf(positionals), Map.copyOf(options), Set.copyOf(flags));
  }

  static AdminException usage(AdminCommand<?> command, String problem) {
    return new AdminException(AdminStatus.BAD_REQUEST, command.syntax().name() + ": " + problem + " (usage: "
        + command.syntax().usage() + ")");
  }

  public String positional(int index) {
    return index < positionals.size() ? positionals.get(index) : null;
  }

  public String option(String name) {
    return options.get(name);
  }

  /** The names of the options and flags given (without "--"), for a command whose sub-commands take different ones. */
  public Set<String> given() {
    Set<String> given = new HashSet<>(options.keySet());
    given.addAll(flags);
    given.remove("json");
    return given;
  }

  /**
   * The whole number of {@code --limit}, {@code fallback} when absent; refused with {@code command}'s
   * usage when it is not a number from 1 to {@code max}.
   */
  public int limit(AdminCommand<?> command, int fallback, int max) throws AdminException {
    String value = options.get("limit");
    if (value == null) {
      return fallback;
    }
    try {
      int limit = Integer.parseInt(value);
      if (limit >= 1 && limit <= max) {
        return limit;
      }
    } catch (NumberFormatException e) {
      // named below with the range
    }
    throw usage(command, "--limit must be a whole number from 1 to " + max + ", got '" + value + "'");
  }

  public boolean flag(String name) {
    return flags.contains(name);
  }
}
