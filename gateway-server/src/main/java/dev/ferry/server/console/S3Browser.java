package dev.ferry.server.console;

import dev.ferry.core.admin.AdminConsole;
import dev.ferry.core.admin.AdminResponse;
import dev.ferry.jobs.admin.ListObjects;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.List;
import java.util.Map;

/**
 * The S3 browser under the transfer form's source and the sync form's target: one page of a prefix
 * at a time (the {@code ls} command, {@link #PAGE} entries, then a "more" button), prefixes to open,
 * and a "pick" button that puts an object or prefix into the form's field. Everything is an htmx
 * fragment swapped into the page; a pick swaps the field itself, so no script of our own runs.
 */
final class S3Browser {

  /** Entries a page: enough to find a file, few enough to read. */
  static final int PAGE = 50;

  /** The form fields a pick may fill, and what each may take: the target of a sync is a prefix. */
  private static final Map<String, Boolean> FIELDS_TAKING_OBJECTS = Map.of("source", true, "target", false);

  private final AdminConsole commands;

  S3Browser(AdminConsole commands) {
    this.commands = commands;
  }

  /**
   * GET /console/browse?field=F&at=s3://bucket/prefix/[&after=T], or without {@code at} the prefix
   * of what the field holds now (its value up to the last "/").
   */
  FullHttpResponse browse(ConsoleSession session, Map<String, List<String>> query) {
    String field = Console.first(query, "field");
    if (!FIELDS_TAKING_OBJECTS.containsKey(field)) {
      return fragment(HttpResponseStatus.BAD_REQUEST, Layout.notice("error", "no such field '" + field + "'"));
    }
    String at = Console.first(query, "at");
    if (at.isEmpty()) {
      String typed = Console.first(query, field);
      at = typed.indexOf('/', 5) >= 0 ? typed.substring(0, typed.lastIndexOf('/') + 1) : typed;
    }
    if (!at.startsWith("s3://") || at.length() <= 5) {
      return fragment(HttpResponseStatus.OK, Layout.notice("info", "type s3://bucket/ (or more of the path) into the "
          + "field, then browse"));
    }
    String after = Console.first(query, "after");
    List<String> words = after.isEmpty() ? List.of(at, "--limit", String.valueOf(PAGE))
        : List.of(at, "--limit", String.valueOf(PAGE), "--after", after);
    AdminResponse response = Console.run(commands, session, "ls", words);
    if (!response.ok()) {
      // 200: htmx swaps only answers that succeeded, and this one is for the operator to read.
      return fragment(HttpResponseStatus.OK, Layout.notice("error", response.text().strip()));
    }
    return fragment(HttpResponseStatus.OK, page(field, (ListObjects.Page) response.data()));
  }

  /** GET /console/browse/pick?field=F&value=V: the field again, holding {@code value}. */
  FullHttpResponse pick(Map<String, List<String>> query) {
    String field = Console.first(query, "field");
    String value = Console.first(query, "value");
    if (!FIELDS_TAKING_OBJECTS.containsKey(field)) {
      return fragment(HttpResponseStatus.BAD_REQUEST, Layout.notice("error", "no such field '" + field + "'"));
    }
    if (!value.startsWith("s3://")) {
      return fragment(HttpResponseStatus.BAD_REQUEST, Layout.notice("error", "'" + value + "' is not s3://..."));
    }
    return fragment(HttpResponseStatus.OK, field.equals("source") ? ConsolePages.sourceField(value)
        : ConsolePages.targetField(value));
  }

  private static String page(String field, ListObjects.Page page) {
    String base = "s3://" + page.bucket() + "/";
    StringBuilder html = new StringBuilder("<div class=\"browser\" id=\"browser-").append(field)
        .append("-panel\" data-at=\"").append(Html.text(base + page.prefix())).append("\"><nav class=\"crumbs\">")
        .append(open(field, base, base));
    String[] parts = page.prefix().isEmpty() ? new String[0] : page.prefix().split("/");
    StringBuilder walked = new StringBuilder(base);
    for (String part : parts) {
      walked.append(part).append('/');
      html.append(open(field, walked.toString(), part + "/"));
    }
    html.append("</nav><table class=\"browse\">");
    boolean objectsToo = FIELDS_TAKING_OBJECTS.get(field);
    for (String prefix : page.prefixes()) {
      String full = base + prefix;
      html.append("<tr class=\"prefix\" data-key=\"").append(Html.text(prefix)).append("\"><td>")
          .append(open(field, full, name(prefix, page.prefix()))).append("</td><td></td><td>")
          .append(pickButton(field, full)).append("</td></tr>");
    }
    for (ListObjects.Entry object : page.objects()) {
      html.append("<tr class=\"object\" data-key=\"").append(Html.text(object.key())).append("\"><td>")
          .append(Html.text(name(object.key(), page.prefix()))).append("</td><td>")
          .append(JobProgress.size(object.size())).append("</td><td>")
          .append(objectsToo ? pickButton(field, base + object.key()) : "").append("</td></tr>");
    }
    if (page.prefixes().isEmpty() && page.objects().isEmpty()) {
      html.append("<tr><td colspan=\"3\">nothing under ").append(Html.text(base + page.prefix())).append("</td></tr>");
    }
    html.append("</table>");
    if (page.next() != null) {
      html.append("<button type=\"button\" class=\"more\" hx-get=\"/console/browse?field=").append(field)
          .append("&amp;at=").append(Html.url(base + page.prefix())).append("&amp;after=").append(Html.url(page.next()))
          .append("\" hx-target=\"#browser-").append(field).append("\">next ").append(PAGE).append("</button>");
    }
    return html.append("</div>").toString();
  }

  /** A button that opens {@code at} in the browser. */
  private static String open(String field, String at, String label) {
    return "<button type=\"button\" class=\"open\" hx-get=\"/console/browse?field=" + field + "&amp;at="
        + Html.url(at) + "\" hx-target=\"#browser-" + field + "\">" + Html.text(label) + "</button>";
  }

  private static String pickButton(String field, String value) {
    return "<button type=\"button\" class=\"pick\" hx-get=\"/console/browse/pick?field=" + field + "&amp;value="
        + Html.url(value) + "\" hx-target=\"#" + field + "\" hx-swap=\"outerHTML\">pick</button>";
  }

  /** A key as shown under its prefix: "b.bin" for "batch/b.bin" under "batch/". */
  private static String name(String key, String prefix) {
    return key.startsWith(prefix) ? key.substring(prefix.length()) : key;
  }

  private static FullHttpResponse fragment(HttpResponseStatus status, String html) {
    return ConsoleReplies.html(status, html);
  }
}
