package dev.ferry.core.object;

import dev.ferry.core.event.Origin;
import dev.ferry.core.quota.QuotaOwner;
import dev.ferry.core.quota.QuotaPlaces;
import dev.ferry.core.quota.Quotas;
import dev.ferry.core.s3.ObjectInfo;
import dev.ferry.core.s3.S3Location;
import dev.ferry.core.store.ObjectStore;
import java.io.IOException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The quota counts of the changes syncs, watched folders and workflows make through
 * {@link ObjectOperations}: what was at an object before (one HEAD, and only where a quota counts
 * the object), then what is there after. Sessions count their own changes as their uploads stream
 * (vfs' SessionQuota), so a client's change is not counted here again. Counting follows a change and
 * never refuses one: an operator's job is not a client's upload. Directory markers are not counted,
 * as a recount does not count them. A count that cannot be written is logged; {@code quota scan}
 * corrects it.
 */
final class QuotaCount {

  private static final Logger log = LoggerFactory.getLogger(QuotaCount.class);

  static final QuotaCount NONE = new QuotaCount(null, QuotaPlaces.NONE, null);

  /** What a quota held at an object before a change: its size, -1 for no object; no owner: nothing to count. */
  record Before(QuotaOwner owner, long size) {
    static final Before NOTHING = new Before(null, -1);
  }

  private final Quotas quotas;
  private final QuotaPlaces places;
  private final ObjectStore store;

  QuotaCount(Quotas quotas, QuotaPlaces places, ObjectStore store) {
    this.quotas = quotas;
    this.places = places;
    this.store = store;
  }

  /** What is at {@code object} now, for the quota counting it, before {@code origin} changes it. */
  Before before(S3Location object, Origin origin) throws IOException {
    Optional<QuotaOwner> owner = ownerOf(object, origin);
    if (owner.isEmpty()) {
      return Before.NOTHING;
    }
    return new Before(owner.get(), ObjectStore.await(store.head(object)).map(ObjectInfo::size).orElse(-1L));
  }

  /** The object {@code before} looked at now holds {@code size} bytes (-1: it is gone). */
  void written(Before before, long size) {
    if (before.owner() == null) {
      return;
    }
    long bytes = Math.max(size, 0) - Math.max(before.size(), 0);
    long files = (size >= 0 ? 1 : 0) - (before.size() >= 0 ? 1 : 0);
    change(before.owner(), bytes, files);
  }

  /** {@code object}, of {@code size} bytes, is gone (the source of a move, a batch delete). */
  void removed(S3Location object, long size, Origin origin) {
    ownerOf(object, origin).ifPresent(owner -> change(owner, -size, -1));
  }

  private Optional<QuotaOwner> ownerOf(S3Location object, Origin origin) {
    if (quotas == null || origin.kind() == Origin.Kind.CLIENT || object.key().endsWith("/")) {
      return Optional.empty();
    }
    return places.ownerOf(object);
  }

  private void change(QuotaOwner owner, long bytes, long files) {
    if (bytes == 0 && files == 0) {
      return;
    }
    try {
      quotas.changed(owner.name(), bytes, files);
    } catch (IOException e) {
      log.error("quota usage of {} not updated by {} bytes, {} files ({}): a recount (quota scan) corrects it",
          owner.writer(), bytes, files, e.getMessage());
    }
  }
}
