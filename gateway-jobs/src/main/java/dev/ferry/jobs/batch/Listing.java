package dev.ferry.jobs.batch;

import dev.ferry.core.object.ObjectOperations;
import dev.ferry.core.s3.ListPage;
import dev.ferry.core.s3.ObjectInfo;
import dev.ferry.core.s3.S3Location;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** The objects under a prefix, page after page, in key order: originals, manifests and markers alike. */
final class Listing {

  private Listing() {}

  static List<ObjectInfo> all(ObjectOperations objects, S3Location prefix) throws IOException {
    return upTo(objects, prefix, Integer.MAX_VALUE, file -> true);
  }

  /** The first {@code limit} objects under {@code prefix} that are {@code taken}. */
  static List<ObjectInfo> upTo(ObjectOperations objects, S3Location prefix, int limit, Predicate<ObjectInfo> taken)
      throws IOException {
    List<ObjectInfo> listed = new ArrayList<>();
    String token = null;
    do {
      ListPage page = ObjectOperations.await(objects.listPage(prefix, null, token, 1000));
      page.objects().stream().filter(taken).forEach(listed::add);
      token = page.nextToken();
    } while (token != null && listed.size() < limit);
    return listed.size() > limit ? listed.subList(0, limit) : listed;
  }
}
