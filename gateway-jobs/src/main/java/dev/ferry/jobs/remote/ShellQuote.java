package dev.ferry.jobs.remote;

/**
 * Quotes one word for a POSIX shell command line run on a remote host. Single quotes make every
 * character literal except the single quote itself, which is closed, escaped and reopened, so a
 * name with spaces, quotes, {@code $()}, {@code ;} or a newline reaches the command as that name
 * and runs nothing.
 */
public final class ShellQuote {

  private ShellQuote() {}

  public static String quote(String word) {
    if (word.indexOf('\0') >= 0) {
      // A shell argument cannot hold NUL; refusing beats silently truncating the name.
      throw new IllegalArgumentException("a shell word cannot contain NUL");
    }
    return "'" + word.replace("'", "'\\''") + "'";
  }

  /**
   * A POSIX extended regular expression matching {@code text} literally (for {@code pkill -f}):
   * every character with a meaning in a regex is escaped.
   */
  public static String literalRegex(String text) {
    StringBuilder regex = new StringBuilder(text.length() + 8);
    for (char c : text.toCharArray()) {
      if ("\\.[](){}*+?^$|".indexOf(c) >= 0) {
        regex.append('\\');
      }
      regex.append(c);
    }
    return regex.toString();
  }
}
