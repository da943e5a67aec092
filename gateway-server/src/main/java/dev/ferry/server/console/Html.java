package dev.ferry.server.console;

/**
 * Text into HTML. Everything the console shows that it did not write itself (job errors, paths,
 * object keys, user and host names) goes through {@link #text} on its way into a page or an
 * attribute: a job error that holds {@code <script>} is shown, never run.
 */
final class Html {

  private Html() {}

  /** Escaped for element content and for quoted attribute values alike. */
  static String text(Object value) {
    String s = String.valueOf(value);
    StringBuilder out = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }

  /** A query or path segment: percent-encoded, then escaped for the attribute it goes into. */
  static String url(String value) {
    return text(java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8));
  }
}
