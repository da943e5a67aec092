package dev.ferry.jobs.admin;

import dev.ferry.core.admin.AdminException;
import dev.ferry.core.admin.AdminResponse;
import dev.ferry.core.admin.AdminStatus;
import dev.ferry.core.object.ObjectOperations;
import dev.ferry.core.s3.ListPage;
import dev.ferry.core.s3.ObjectInfo;
import dev.ferry.core.s3.S3Location;
import dev.ferry.core.s3.StoreException;
import java.util.List;
import java.util.Set;

/**
 * ls s3://bucket/prefix/ [--limit N] [--after TOKEN]: one page of what is directly under a prefix,
 * its sub-prefixes and its objects, as S3 lists them with delimiter "/". Read-only, and bounded:
 * at most {@link #MAX_LIMIT} entries a page (default {@link #DEFAULT_LIMIT}), the next page asked for
 * by the token the answer gives. For the console's S3 browser and for scripts.
 */
public final class ListObjects extends AdminCommand<ListObjects.Page> {

  static final int DEFAULT_LIMIT = 100;
  static final int MAX_LIMIT = 1000;


  /** An object under the prefix. */
  public record Entry(String key, long size, String lastModified) {}

  /** One page: {@code prefixes} and {@code objects} are full keys; {@code next} is null on the last page. */
  public record Page(String bucket, String prefix, List<String> prefixes, List<Entry> objects, String next) {}

  private final ObjectOperations objects;

  ListObjects(ObjectOperations objects) {
    super(Syntax.reads("ls", "ls s3://<bucket>/<prefix>/ [--limit <1.." + MAX_LIMIT + ">] [--after <token>]", 1)
        .accepting(1, 1, Set.of("limit", "after"), Set.of()));
    this.objects = objects;
  }

  @Override
  public AdminResponse<Page> run(AdminRequest request) throws Exception {
    S3Location prefix;
    try {
      prefix = S3Location.parsePrefix(request.args().positional(0));
    } catch (IllegalArgumentException e) {
      throw AdminArgs.usage(this, e.getMessage());
    }
    int limit = request.args().limit(this, DEFAULT_LIMIT, MAX_LIMIT);
    String after = request.args().option("after");
    ListPage page;
    try {
      page = ObjectOperations.await(objects.listPage(prefix, "/", after, limit));
    } catch (StoreException e) {
      throw new AdminException(switch (e.kind()) {
        case NOT_FOUND -> AdminStatus.NOT_FOUND;
        case ACCESS_DENIED -> AdminStatus.REFUSED;
        default -> AdminStatus.FAILED;
      }, "ls " + prefix + ": " + e.getMessage());
    }
    List<Entry> entries = page.objects().stream().map(ListObjects::entry).toList();
    Page answer = new Page(prefix.bucket(), prefix.key(), List.copyOf(page.commonPrefixes()), entries,
        page.nextToken());
    StringBuilder text = new StringBuilder();
    answer.prefixes().forEach(p -> text.append("s3://").append(prefix.bucket()).append('/').append(p).append('\n'));
    entries.forEach(o -> text.append("s3://").append(prefix.bucket()).append('/').append(o.key()).append("  ")
        .append(o.size()).append("  ").append(o.lastModified()).append('\n'));
    if (text.length() == 0) {
      text.append("nothing under ").append(prefix).append('\n');
    }
    if (answer.next() != null) {
      text.append("more: ls ").append(prefix).append(" --after ").append(answer.next()).append('\n');
    }
    return AdminResponse.ok(text.toString(), answer);
  }

  private static Entry entry(ObjectInfo object) {
    return new Entry(object.key(), object.size(), object.lastModified().toString());
  }
}
