package dev.ferry.server.console;

import dev.ferry.core.admin.AdminResponse;
import dev.ferry.jobs.admin.AdminCommandRegistry;
import dev.ferry.jobs.admin.ListObjects;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.ArrayList;
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

  private final AdminCommandRegistry commands;

  S3Browser(AdminCommandRegistry commands) {
    this.commands = commands;
  }

  /**
   * GET /console/browse?field=F&at=s3://bucket/prefix/[&after=T], or without {@code at} the prefix
   * of what the field holds now (its value up to the last "/").
   */
  FullHttpResponse browse(ConsoleSession session, Map<String, List<String>> query) {
    String field = Console.first(query, "field");
    if (!FIELDS_TAKING_OBJECTS.containsKey(field)) {
      return fragment(HttpResponseStatus.BAD_REQUEST, ConsolePages.notice("error", "no such field '" + field + "'"));
    }
    String at = Console.first(query, "at");
    if (at.isEmpty()) {
      String typed = Console.first(query, field);
      at = typed.indexOf('/', 5) >= 0 ? typed.substring(0, typed.lastIndexOf('/') + 1) : typed;
    }
    if (!at.startsWith("s3://") || at.length() <= 5) {
      return fragment(HttpResponseStatus.OK, ConsolePages.notice("info", "type s3://bucket/ (or more of the path) into the "
          + "field, then browse"));
    }
    String after = Console.first(query, "after");
    List<String> words = after.isEmpty() ? List.of(at, "--limit", String.valueOf(PAGE))
        : List.of(at, "--limit", String.valueOf(PAGE), "--after", after);
    AdminResponse<ListObjects.Page> response = Console.run(commands, session, ListObjects.class, words);
    if (!response.ok()) {
      // 200: htmx swaps only answers that succeeded, and this one is for the operator to read.
      return fragment(HttpResponseStatus.OK, ConsolePages.notice("error", response.text().strip()));
    }
    return fragment(HttpResponseStatus.OK, page(field, response.data()));
  }

  /** GET /console/browse/pick?field=F&value=V: the field again, holding {@code value}. */
  FullHttpResponse pick(Map<String, List<String>> query) {
    String field = Console.first(query, "field");
    String value = Console.first(query, "value");
    if (!FIELDS_TAKING_OBJECTS.containsKey(field)) {
      return fragment(HttpResponseStatus.BAD_REQUEST, ConsolePages.notice("error", "no such field '" + field + "'"));
    }
    if (!value.startsWith("s3://")) {
      return fragment(HttpResponseStatus.BAD_REQUEST, ConsolePages.notice("error", "'" + value + "' is not s3://..."));
    }
    return fragment(HttpResponseStatus.OK, ConsolePages.s3Field(field, value));
  }

  /**
   * A prefix or an object of the listing, or a crumb of the path: {@code openUrl} opens a prefix
   * (null for an object), {@code pickUrl} puts it into the field (null where the field takes no
   * objects, and for crumbs); {@code size} is "" for a prefix.
   */
  record Entry(String key, String label, String size, String openUrl, String pickUrl) {}

  /** One page of a prefix for s3Browser.jte: {@code moreUrl} null when it is the last. */
  record View(String field, String at, List<Entry> crumbs, List<Entry> entries, String moreUrl) {}

  private static String page(String field, ListObjects.Page page) {
    String base = "s3://" + page.bucket() + "/";
    List<Entry> crumbs = new ArrayList<>(List.of(new Entry(base, base, "", openUrl(field, base), null)));
    StringBuilder walked = new StringBuilder(base);
    for (String part : page.prefix().isEmpty() ? new String[0] : page.prefix().split("/")) {
      walked.append(part).append('/');
      crumbs.add(new Entry(walked.toString(), part + "/", "", openUrl(field, walked.toString()), null));
    }
    List<Entry> entries = new ArrayList<>();
    for (String prefix : page.prefixes()) {
      entries.add(new Entry(prefix, name(prefix, page.prefix()), "", openUrl(field, base + prefix),
          pickUrl(field, base + prefix)));
    }
    boolean objectsToo = FIELDS_TAKING_OBJECTS.get(field);
    for (ListObjects.Entry object : page.objects()) {
      entries.add(new Entry(object.key(), name(object.key(), page.prefix()), JobProgress.size(object.size()), null,
          objectsToo ? pickUrl(field, base + object.key()) : null));
    }
    String more = page.next() == null ? null : "/console/browse?field=" + field + "&at="
        + Urls.encode(base + page.prefix()) + "&after=" + Urls.encode(page.next());
    return ConsoleTemplates.render("s3Browser", Map.of("view",
        new View(field, base + page.prefix(), crumbs, entries, more)));
  }

  private static String openUrl(String field, String at) {
    return "/console/browse?field=" + field + "&at=" + Urls.encode(at);
  }

  private static String pickUrl(String field, String value) {
    return "/console/browse/pick?field=" + field + "&value=" + Urls.encode(value);
  }

  /** A key as shown under its prefix: "b.bin" for "batch/b.bin" under "batch/". */
  private static String name(String key, String prefix) {
    return key.startsWith(prefix) ? key.substring(prefix.length()) : key;
  }

  private static FullHttpResponse fragment(HttpResponseStatus status, String html) {
    return ConsoleReplies.html(status, html);
  }
}
