package dev.ferry.jobs.sync;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/** What a sync run has done so far, shown in its job: files by outcome, and bytes copied. */
final class SyncCounts {

  /** Files the listing found and the filters took. */
  final AtomicLong seen = new AtomicLong();
  final AtomicLong copied = new AtomicLong();
  /** Already in S3 as they are on the remote. */
  final AtomicLong unchanged = new AtomicLong();
  /** Left for a later run: too recent (minAge), changed while copied, or a name Ferry cannot hold. */
  final AtomicLong skipped = new AtomicLong();
  final AtomicLong failed = new AtomicLong();
  /** Objects removed because their source is gone (mirror). */
  final AtomicLong deleted = new AtomicLong();
  /** Remote files removed after their object was verified (deleteSource). */
  final AtomicLong sourceDeleted = new AtomicLong();
  final AtomicLong bytes = new AtomicLong();

  Map<String, Long> asMap() {
    Map<String, Long> map = new LinkedHashMap<>();
    map.put("seen", seen.get());
    map.put("copied", copied.get());
    map.put("unchanged", unchanged.get());
    map.put("skipped", skipped.get());
    map.put("failed", failed.get());
    map.put("deleted", deleted.get());
    map.put("sourceDeleted", sourceDeleted.get());
    return map;
  }
}
