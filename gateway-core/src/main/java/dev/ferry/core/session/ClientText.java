package dev.ferry.core.session;

/**
 * A string a client chose (a user name, a command argument) made safe to put in a log line: line
 * breaks, ESC and every other control character become {@code \xNN} escapes, so a name such as
 * {@code "eve\n2026-... INFO LoginGuard - login: ops"} cannot forge a second line or drive a
 * terminal, and a string longer than {@link #MAX_LENGTH} is cut, so one cannot flood the log.
 */
public final class ClientText {

  static final int MAX_LENGTH = 200;

  private ClientText() {}

  public static String forLog(String text) {
    if (text == null) {
      return "(none)";
    }
    StringBuilder safe = new StringBuilder(Math.min(text.length(), MAX_LENGTH) + 8);
    for (int i = 0; i < text.length() && i < MAX_LENGTH; i++) {
      char c = text.charAt(i);
      if (isControl(c)) {
        safe.append(String.format("\\x%02x", (int) c));
      } else {
        safe.append(c);
      }
    }
    if (text.length() > MAX_LENGTH) {
      safe.append("...(").append(text.length()).append(" chars)");
    }
    return safe.toString();
  }

  /** C0 and C1 controls, DEL, and the Unicode line and paragraph separators. */
  public static boolean hasControl(String text) {
    for (int i = 0; i < text.length(); i++) {
      if (isControl(text.charAt(i))) {
        return true;
      }
    }
    return false;
  }

  private static boolean isControl(char c) {
    return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029';
  }
}
