package dev.ferry.server.console;

/**
 * The frame every page shares: head (stylesheet, htmx and its config: no eval, no inline styles,
 * as the Content-Security-Policy allows neither), the navigation and the sign-out form with the
 * session's CSRF token.
 */
final class Layout {

  private Layout() {}

  static String page(String title, ConsoleSession session, String body) {
    StringBuilder html = new StringBuilder(4096);
    html.append("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        .append("<meta name=\"htmx-config\" content='{\"includeIndicatorStyles\":false,\"allowEval\":false,")
        .append("\"allowScriptTags\":false,\"historyCacheSize\":0}'>")
        .append("<title>").append(Html.text(title)).append(" · Ferry</title>")
        .append("<link rel=\"stylesheet\" href=\"/console/static/console.css\">")
        .append("<script src=\"/console/static/htmx.min.js\"></script></head><body>");
    if (session != null) {
      html.append("<header><a class=\"brand\" href=\"/console/\">Ferry</a><nav>")
          .append("<a href=\"/console/\">Dashboard</a><a href=\"/console/jobs\">Jobs</a>")
          .append("<a href=\"/console/transfer\">New transfer</a><a href=\"/console/sync\">New sync</a><a href=\"/console/hosts\">Hosts</a>")
          .append("<a href=\"/console/sessions\">Sessions</a><a href=\"/console/users\">Users</a></nav>")
          .append("<form class=\"signout\" method=\"post\" action=\"/console/logout\">")
          .append("<span id=\"node\">node ").append(Html.text(session.node())).append("</span>")
          .append("<span id=\"signed-in-as\">").append(Html.text(session.user())).append("</span>")
          .append(csrfField(session)).append("<button type=\"submit\">Sign out</button></form></header>");
    }
    return html.append("<main><h1>").append(Html.text(title)).append("</h1>").append(body)
        .append("</main></body></html>\n").toString();
  }

  /** The hidden field that carries the session's CSRF token in a form. */
  static String csrfField(ConsoleSession session) {
    return "<input type=\"hidden\" name=\"" + Console.CSRF_FIELD + "\" value=\"" + Html.text(session.csrfToken())
        + "\">";
  }

  /** A message box; {@code message} is escaped. */
  static String notice(String kind, String message) {
    return "<p class=\"notice " + kind + "\" id=\"notice\">" + Html.text(message) + "</p>";
  }
}
